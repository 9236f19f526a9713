-- Every server process keeps the tokens it looked up, and drops them when a user, one of their
-- tokens or a role changes. These triggers tell every process so, through NOTIFY on channel
-- gallery_auth, whoever made the change (another node, Prisma Studio, plain SQL): the payload is
-- the user's id, or '*' for a change that concerns everyone. A notification is sent only when the
-- transaction commits. (PostgreSQL only: on SQLite nothing is cached.)

CREATE FUNCTION "gallery_notify_user_change"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('gallery_auth', OLD."id"::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION "gallery_notify_token_change"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('gallery_auth', OLD."userId"::text);
  IF TG_OP = 'UPDATE' AND NEW."userId" <> OLD."userId" THEN
    PERFORM pg_notify('gallery_auth', NEW."userId"::text);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION "gallery_notify_everyone"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('gallery_auth', '*');
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- What a token's check reads of its user: name, email, role, status, quota, last login (shown by /me).
CREATE TRIGGER "User_notify_auth"
  AFTER UPDATE OF "username", "email", "roleId", "isActive", "storageQuotaMb", "lastLoginAt", "createdAt" OR DELETE ON "User"
  FOR EACH ROW EXECUTE FUNCTION "gallery_notify_user_change"();

-- What decides whether a token works (not lastUsedAt, which the server itself writes now and then).
CREATE TRIGGER "Token_notify_auth"
  AFTER UPDATE OF "revokedAt", "expiresAt", "scope", "userId", "tokenHash" OR DELETE ON "Token"
  FOR EACH ROW EXECUTE FUNCTION "gallery_notify_token_change"();

CREATE TRIGGER "Role_notify_auth"
  AFTER UPDATE OR DELETE ON "Role"
  FOR EACH STATEMENT EXECUTE FUNCTION "gallery_notify_everyone"();
