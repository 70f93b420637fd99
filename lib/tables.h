/* The names of the schema's tables (lib/schema.c): the one list, which
 * every other file of the core uses by these names. */
#ifndef PROAUTH2_LIB_TABLES_H
#define PROAUTH2_LIB_TABLES_H

#define TABLE_CLIENTS "clients"
#define TABLE_CODES "codes"
#define TABLE_ACCESS_TOKENS "access_tokens"
#define TABLE_REFRESH_TOKENS "refresh_tokens"
#define TABLE_SPENT_TOKENS "spent_tokens"
#define TABLE_REVOKED_GRANTS "revoked_grants"
#define TABLE_AUTHORIZATIONS "authorizations"
#define TABLE_AUTH_FAILURES "auth_failures"
#define TABLE_REGISTRATION_SLOTS "registration_slots"
#define TABLE_SIGNING_KEYS "signing_keys"
#define TABLE_CONSENTS "consents"
#define TABLE_SESSIONS "sessions"

#endif
