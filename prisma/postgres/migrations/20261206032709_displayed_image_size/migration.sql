-- Data only: an image's width and height are the size it is shown at, after its EXIF orientation.
-- Rows stored before held the size as encoded; orientations 5 to 8 turn the picture a quarter, so
-- their width and height swap places (both take the row's old values). Applied once, like every
-- migration (recorded in _prisma_migrations), so no row is turned twice.
UPDATE "Image" SET "width" = "height", "height" = "width" WHERE "orientation" IN (5, 6, 7, 8);
