-- One DIN sequence per facility and two-digit year: the DIN carries only the last two digits of
-- the year, so years a century apart share one sequence. Rows of such years are merged, keeping
-- the highest number issued, so that no DIN already issued can be issued again.
CREATE TEMPORARY TABLE "din_sequence_merged" AS
  SELECT "facility_identifier", ("year" % 100) AS "two_digit_year", MAX("last_sequence") AS "last_sequence"
  FROM "din_sequence" GROUP BY 1, 2;

-- AlterTable
ALTER TABLE "din_sequence" DROP CONSTRAINT "din_sequence_pkey",
DROP COLUMN "year",
ADD COLUMN     "two_digit_year" INTEGER NOT NULL DEFAULT 0;

DELETE FROM "din_sequence";
INSERT INTO "din_sequence" ("facility_identifier", "two_digit_year", "last_sequence")
  SELECT "facility_identifier", "two_digit_year", "last_sequence" FROM "din_sequence_merged";
DROP TABLE "din_sequence_merged";

ALTER TABLE "din_sequence" ALTER COLUMN "two_digit_year" DROP DEFAULT,
ADD CONSTRAINT "din_sequence_pkey" PRIMARY KEY ("facility_identifier", "two_digit_year");
