// The parts of the upload panel that the first load goes without, loaded when needed: resumable
// uploads with tus-js-client (api/resumable.ts: when a large file is sent) and the offer to resume
// unfinished ones (upload-resume.tsx: when the panel opens).
//
// Plain JavaScript (not compiled), each path in parentheses (kept from Prettier): Vite then leaves
// these imports as they are instead of wrapping them in its preload helper, which would add about
// 550 bytes (gzip) to the first load for nothing, and Rollup still makes each its own chunk. These
// chunks have no stylesheet and no chunk of their own to preload; so they must not import CSS
// (their rules are in upload.css). `@vite-ignore`: the dev server warns of such imports, and serves
// them all the same. Types: upload-lazy.d.ts.
// prettier-ignore
export const loadResumable = () => import(/* @vite-ignore */ ('../api/resumable'));
// prettier-ignore
export const loadResume = () => import(/* @vite-ignore */ ('./upload-resume'));
