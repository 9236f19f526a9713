-- AlterTable (an added column, not the usual table rebuild: a rebuild would drop the expression
-- index "Gallery_lower_name_id_idx", which the Prisma schema does not know of)
ALTER TABLE "Gallery" ADD COLUMN "deleting" BOOLEAN NOT NULL DEFAULT false;
