// The types of upload-lazy.js.
export declare const loadResumable: () => Promise<typeof import('../api/resumable')>;
export declare const loadResume: () => Promise<typeof import('./upload-resume')>;
