/*
 * What the libFuzzer targets share: a provider on an in-memory SQLite
 * datastore with a confidential and a public client, the secrets an input
 * may name by marker, a request parsed from an input's text, and the
 * checks every answer must pass.
 */
#ifndef PROAUTH2_FUZZ_COMMON_H
#define PROAUTH2_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <proauth2/proauth2.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The provider, made on first use; abort() if it cannot be. */
proauth2_provider *fuzz_provider(void);

/* Register a client of fuzz_provider()'s (wanted_id NULL: a random id)
 * with both redirect URIs, every grant its type may have and the scope
 * "read write"; its id, and its secret in *secret (may be NULL), to
 * free(). abort() if it cannot be. */
char *fuzz_register_client(proauth2_client_type type, const char *wanted_id,
		char **secret);

/* Forget the failures earlier inputs left on a throttle subject
 * ("client", id or "user", name): wrong secrets they sent for a fixed
 * client or user lock it out for a while, and a harness's own grants and
 * sign-ins must not depend on what the fuzzer sent before. */
void fuzz_unlock(proauth2_provider *p, const char *kind, const char *name);

/* The redirect URI both clients registered. */
#define FUZZ_REDIRECT_URI "https://client.example.com/cb"
/* The resource owner check_password accepts. */
#define FUZZ_USER "alice"
#define FUZZ_PASSWORD "wonderland"

/*
 * A copy of size bytes of data, NUL-terminated (*len: its length without
 * the NUL), where each marker "@X" is replaced by a secret the fuzzer
 * could never guess:
 *   @I @S  the confidential client's id and secret, @B its Basic header
 *   @P     the public client's id
 *   @A @R  an access and a refresh token of the confidential client
 *   @T     the ticket of a pending authorization request
 *   @D @G  a dynamically registered client's id and registration token
 * Tickets and registrations are fresh for each input that names them,
 * tokens as soon as the last ones were revoked or spent. free() the copy;
 * call fuzz_forget() when the input is done.
 */
char *fuzz_expand(const uint8_t *data, size_t size, size_t *len);
void fuzz_forget(void);

/* fuzz_expand with the target's own markers: marker(X) is what @X stands
 * for, NULL to keep it as it is. */
char *fuzz_expand_with(const uint8_t *data, size_t size, size_t *len,
		const char *(*marker)(char));

/* What @m expands to for the current input, or NULL. */
const char *fuzz_marker(char m);

/* Registers a marker of the target's own: @c expands to value (a copy). */
void fuzz_set_marker(char c, const char *value);

/*
 * A request from text: "METHOD TARGET\n", header lines "Name: value\n",
 * an empty line, then the body (to the end). TARGET's query is what
 * follows '?'. Pointers go into text, which is modified. 0 on success, -1
 * when the text has no request line.
 */
#define FUZZ_MAX_HEADERS 16
typedef struct fuzz_request {
	proauth2_http_request req;
	const char *names[FUZZ_MAX_HEADERS];
	const char *values[FUZZ_MAX_HEADERS];
	size_t n_headers;
} fuzz_request;

int fuzz_request_parse(fuzz_request *r, char *text, size_t len);

/* The value of a header of r (case-insensitive), or NULL. */
const char *fuzz_request_header(const fuzz_request *r, const char *name);

/* abort() unless the answer is sound: a response with a status, never a
 * 5xx for what a client sent, never an error called a success, headers
 * without CR or LF, a body as long as it says. */
void fuzz_check(proauth2_status status, const proauth2_http_response *r);

#endif
