-- A floating-point number as JSON text, written as JavaScript writes it (Number.prototype.toString):
-- for image pages whose JSON the database writes (PAGE_JSON=database), byte for byte the JSON the
-- server would write. PostgreSQL's own text is the same shortest round-trip digits, but in exponent
-- form from 1e15 up and below 1e-4, with two exponent digits at least (`6.25e-05`), where
-- JavaScript writes fixed notation up to 1e21 and down to 1e-6, then `1e-7`. NaN and infinities,
-- which JSON cannot hold, are null, as in JSON.stringify; and -0 is 0.
CREATE FUNCTION "gallery_json_number"(value double precision) RETURNS text AS $$
DECLARE
  shown text;
  sign text := '';
  digits text;
  point int;
  count int;
BEGIN
  IF value IS NULL OR value = 'NaN'::float8 OR value = 'Infinity'::float8 OR value = '-Infinity'::float8 THEN
    RETURN 'null';
  END IF;
  IF value = 0 THEN
    RETURN '0';
  END IF;
  shown := value::text;
  IF position('e' IN shown) = 0 THEN
    RETURN shown;
  END IF;
  IF left(shown, 1) = '-' THEN
    sign := '-';
    shown := substr(shown, 2);
  END IF;
  -- d.ddd e±x: the digits, and where the decimal point falls after the first `point` of them.
  digits := replace(split_part(shown, 'e', 1), '.', '');
  point := split_part(shown, 'e', 2)::int + 1;
  count := length(digits);
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
