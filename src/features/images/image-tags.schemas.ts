import { z } from 'zod';

import { idParam } from '../../shared/ids';
import { tagField, tagList } from './tag-names';

export const tagsBody = z.strictObject({ tags: tagList(0) });
export const addTagsBody = z.strictObject({ tags: tagList(1) });
export const imageTagParams = z.object({ id: idParam, tag: tagField });
