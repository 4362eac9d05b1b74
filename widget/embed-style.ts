// The comments' styles on another site's page, inside their shadow root (adopted by script, so a
// host CSP needs no style-src for them). Themable through custom properties, which cross the
// shadow boundary: --billet-accent, --billet-text, --billet-muted, --billet-line, --billet-field,
// --billet-error, --billet-ok, --billet-font. Colours follow the host's color-scheme.
export const EMBED_CSS = `
.billet{all:initial;display:block;color-scheme:inherit;
--a:var(--billet-accent,light-dark(#8a2b0e,#f0a07a));--t:var(--billet-text,CanvasText);--m:var(--billet-muted,color-mix(in srgb,var(--t) 65%,transparent));
--l:var(--billet-line,color-mix(in srgb,var(--t) 18%,transparent));--f:var(--billet-field,Field);--e:var(--billet-error,light-dark(#a1160a,#ff9c8f));
--o:var(--billet-ok,light-dark(#1f6130,#8fd6a0));color:var(--t);font:var(--billet-font,1rem/1.6 system-ui,sans-serif);overflow-wrap:break-word}
.billet *{box-sizing:border-box}
.billet a{color:var(--a)}
.billet :focus-visible{outline:3px solid var(--a);outline-offset:2px}
.billet h2{font-size:1.3em;margin:1.2em 0 .5em}
.comment-count,.no-comments,.comments-closed,.comment-meta,.comment-removed,.comment-in-reply-to a,.field small,.required{color:var(--m)}
.comment-count{font-weight:400}
.comment-list,.comment-replies{list-style:none;margin:0;padding:0}
.comment-replies{margin-left:1em;padding-left:1em;border-left:2px solid var(--l)}
.comment-replies .comment-replies .comment-replies .comment-replies{margin-left:0;padding-left:0;border-left:0}
.comment>article{padding:.8em 0;border-bottom:1px solid var(--l)}
.comment:focus{outline:none}
.comment-meta,.comment-reply,.comment-in-reply-to,.comment-pending{font-size:.9em}
.comment-number{font-weight:700;text-decoration:none;margin-right:.3em}
.comment-author{font-weight:600;color:var(--t)}
.comment-body p{margin:.5em 0}
.comment-pending{color:var(--a)}
.comment-removed{font-style:italic}
.comment-pages{display:flex;justify-content:space-between;gap:1em;margin:1em 0}
.hp{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.field{margin:0 0 1em}
.field label{display:block;font-weight:600}
.field small,.required{display:block;font-size:.85em}
.required{display:inline;font-weight:400}
input[type=text],input[type=email],input[type=url],textarea{display:block;width:100%;margin-top:.25em;padding:.55em .7em;font:inherit;color:var(--t);background:var(--f);border:1px solid var(--m);border-radius:4px}
textarea{min-height:7em;resize:vertical}
[aria-invalid=true]{border-color:var(--e);box-shadow:0 0 0 1px var(--e)}
.field-notify{display:flex;gap:.5em;align-items:center}
.field-notify label{display:inline;font-weight:400}
.field-error{display:block;color:var(--e);font-size:.9em}
[hidden]{display:none!important}
button{font:inherit;font-weight:600;padding:.65em 1.2em;min-height:44px;border:0;border-radius:4px;background:var(--a);color:Canvas;cursor:pointer}
button[aria-disabled=true]{opacity:.6;cursor:progress}
.cancel-reply,.own-button{background:none;color:var(--a);padding:.2em 0;min-height:24px;text-decoration:underline;font-weight:400}
.own-button,.own-left{font-size:.9em}
.own-left{color:var(--m)}
.own-controls,.own-confirm{margin-left:.75em}
.own-edit label{display:block;font-weight:600}
.form-message{padding:.6em .8em;border-radius:4px;border:1px solid var(--l)}
.form-message--error,.form-message[role=alert]{border-color:var(--e);color:var(--e)}
.form-message--ok{border-color:var(--o);color:var(--o)}
.form-message:empty{padding:0;margin:0;border:0}
`;
