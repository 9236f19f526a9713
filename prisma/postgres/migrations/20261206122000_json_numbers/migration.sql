-- A floating-point number as JSON text, written as JavaScript writes it (Number.prototype.toString):
-- for image pages whose JSON the database writes (PAGE_JSON=database), byte for byte the JSON the
-- server would write. JavaScript writes the fewest digits that read back as the same number (the
-- nearest such, when two are as short), in fixed notation from 1e-6 up to 1e21, else as `1e-7` or
-- `1.5e+21`. PostgreSQL's own text has the same digits but in exponent form from 1e15 up and below
-- 1e-4, with two exponent digits at least (`6.25e-05`), and, for a number at the very edge of its
-- rounding interval, one digit more than needed (`6.9172248612143264e+16` for JavaScript's
-- `69172248612143260`). NaN and infinities, which JSON cannot hold, are null, as in
-- JSON.stringify; -0 is 0.
-- Whether a decimal text reads back as `value` (false past the range of doubles, where reading it
-- would be an error).
CREATE FUNCTION "gallery_reads_as"(written text, value double precision) RETURNS boolean AS $$
  SELECT written::numeric BETWEEN 4.9e-324 AND 1.7976931348623157e308 AND written::numeric::float8 = value
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION "gallery_json_number"(value double precision) RETURNS text AS $$
DECLARE
  shown text;
  sign text := '';
  mantissa text;
  exponent int := 0;
  digits text;
  point int;
  count int;
  lower text;
  upper text;
  lower_ok boolean;
  upper_ok boolean;
  exact numeric;
BEGIN
  IF value IS NULL OR value = 'NaN'::float8 OR value = 'Infinity'::float8 OR value = '-Infinity'::float8 THEN
    RETURN 'null';
  END IF;
  IF value = 0 THEN
    RETURN '0';
  END IF;
  shown := value::text;
  -- Fixed notation (from 1e-4 to 1e15): JavaScript's text already. (The extra digit above comes
  -- only past 2^53, where the edges of a rounding interval can be short decimals.)
  IF position('e' IN shown) = 0 THEN
    RETURN shown;
  END IF;
  IF left(shown, 1) = '-' THEN
    sign := '-';
    shown := substr(shown, 2);
  END IF;
  mantissa := split_part(shown, 'e', 1);
  IF position('e' IN shown) > 0 THEN
    exponent := split_part(shown, 'e', 2)::int;
  END IF;
  -- The number is 0.<digits> × 10^point: its significant digits, and where the decimal point falls.
  digits := split_part(mantissa, '.', 1) || split_part(mantissa, '.', 2);
  point := length(split_part(mantissa, '.', 1)) + exponent;
  WHILE left(digits, 1) = '0' LOOP
    digits := substr(digits, 2);
    point := point - 1;
  END LOOP;
  digits := rtrim(digits, '0');
  count := length(digits);
  -- One digit fewer, rounded down or up, while that still reads back as the same number.
  WHILE count > 1 LOOP
    lower := left(digits, count - 1);
    upper := (lower::numeric + 1)::text;
    lower_ok := "gallery_reads_as"(lower || 'e' || (point - count + 1), abs(value));
    upper_ok := "gallery_reads_as"(upper || 'e' || (point - count + 1), abs(value));
    EXIT WHEN NOT lower_ok AND NOT upper_ok;
    IF lower_ok AND upper_ok THEN
      exact := (digits || 'e' || (point - count))::numeric;
      upper_ok := abs((upper || 'e' || (point - count + 1))::numeric - exact)
        < abs((lower || 'e' || (point - count + 1))::numeric - exact);
    END IF;
    IF upper_ok THEN
      point := point + length(upper) - (count - 1);
      digits := rtrim(upper, '0');
    ELSE
      digits := rtrim(lower, '0');
    END IF;
    count := length(digits);
  END LOOP;
  IF count <= point AND point <= 21 THEN
    RETURN sign || digits || repeat('0', point - count);
  ELSIF 0 < point AND point <= 21 THEN
    RETURN sign || left(digits, point) || '.' || substr(digits, point + 1);
  ELSIF -6 < point AND point <= 0 THEN
    RETURN sign || '0.' || repeat('0', -point) || digits;
  END IF;
  RETURN sign || left(digits, 1) || CASE WHEN count > 1 THEN '.' || substr(digits, 2) ELSE '' END
    || 'e' || CASE WHEN point - 1 >= 0 THEN '+' ELSE '-' END || abs(point - 1)::text;
END
$$ LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE;
