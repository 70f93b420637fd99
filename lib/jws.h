/* Compact JWS (RFC 7515) with the three algorithms the engine signs with:
 * ES256 (the default), EdDSA over Ed25519 (RFC 8037) and RS256. Internal:
 * the base of JWT access tokens (RFC 9068) and of the signing-key set.
 *
 * Every function here may be called from several threads at once, on the
 * same EVP_PKEY or jws_signer too (but for the last jws_signer_free of a
 * signer): keys are only read, and signers as jws_signer says. */
#ifndef PROAUTH2_LIB_JWS_H
#define PROAUTH2_LIB_JWS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <proauth2/error.h>

typedef enum jws_alg {
	JWS_ES256, /* ECDSA P-256 SHA-256, signature R || S (RFC 7518 §3.4) */
	JWS_EDDSA, /* Ed25519 (RFC 8037 §3.1) */
	JWS_RS256, /* RSASSA-PKCS1-v1_5 SHA-256, modulus of 2048 to 8192 bits */
} jws_alg;

#define JWS_ALG_DEFAULT JWS_ES256

/* Longest compact JWS jws_verify() reads; anything longer is refused
 * before a byte of it is decoded. */
#define JWS_MAX_LENGTH 16384
/* The largest signature: RS256 with an 8192-bit modulus. */
#define JWS_SIGNATURE_MAX 1024
#define JWS_RSA_MIN_BITS 2048
#define JWS_RSA_MAX_BITS 8192

/* "ES256", "EdDSA" or "RS256"; NULL for a value outside the enum. Static. */
const char *jws_alg_name(jws_alg alg);

/* The algorithm a registered name (compared exactly, case and all) stands
 * for, in *out. False for any other name, "none" and NULL among them. */
bool jws_alg_from_name(const char *name, jws_alg *out);

/* True if key can sign or verify under alg: a P-256 key for ES256, an
 * Ed25519 key for EdDSA, an RSA key of JWS_RSA_MIN_BITS to
 * JWS_RSA_MAX_BITS for RS256. A key fits one alg at most, so the key, not
 * a token, decides the algorithm. */
bool jws_key_fits(const EVP_PKEY *key, jws_alg alg);

/* A key made ready to sign under alg: OpenSSL looks its algorithms up
 * once, here, not at each signature (a lookup costs a tenth of an ES256
 * signature, and takes locks that two signing threads contend for). Each
 * signature signs with a copy of the ready context, so several threads
 * may sign with one signer at once (OpenSSL 3.0's context copy only reads
 * its source). Counted references: each holder frees its own. */
typedef struct jws_signer jws_signer;

/* A signer of key (borrowed: the signer keeps its own reference) under
 * alg, in *out (jws_signer_free()). A key that does not fit alg:
 * PROAUTH2_ERR_INVALID_ARGUMENT; OpenSSL failing: PROAUTH2_ERR_CRYPTO;
 * PROAUTH2_ERR_NOMEM. */
PROAUTH2_WARN_UNUSED proauth2_status jws_signer_new(jws_alg alg,
		EVP_PKEY *key, jws_signer **out, proauth2_error *err);
/* signer, with one more reference to free: for a holder that signs after
 * signer's owner may have let go of it. */
jws_signer *jws_signer_ref(jws_signer *signer);
/* Drops a reference; the last frees the signer. Accepts NULL. */
void jws_signer_free(jws_signer *signer);
jws_alg jws_signer_alg(const jws_signer *signer);

/* The raw cost of one signature: input signed by signer (not NULL), the
 * signature in sig (JWS_SIGNATURE_MAX bytes) as the JWS carries it, its
 * length in *sig_len. OpenSSL failing, for memory too:
 * PROAUTH2_ERR_CRYPTO. */
PROAUTH2_WARN_UNUSED proauth2_status jws_sign_bytes(const jws_signer *signer,
		const unsigned char *input, size_t len,
		unsigned char sig[JWS_SIGNATURE_MAX], size_t *sig_len,
		proauth2_error *err);

/* The raw cost of one verification: PROAUTH2_OK only if sig is a valid
 * signature of input by key under alg, in the JWS form (ES256: exactly 64
 * bytes R || S; EdDSA: 64 bytes; RS256: the modulus's size). Otherwise
 * PROAUTH2_ERR_INVALID_TOKEN; a key that does not fit alg:
 * PROAUTH2_ERR_INVALID_ARGUMENT; OpenSSL failing: PROAUTH2_ERR_CRYPTO. */
PROAUTH2_WARN_UNUSED proauth2_status jws_verify_bytes(jws_alg alg, EVP_PKEY *key,
		const unsigned char *input, size_t len, const unsigned char *sig,
		size_t sig_len, proauth2_error *err);

/* base64url(header) "." base64url(payload) "." base64url(signature) in
 * *out (free()). header is signed as given: the caller vouches that it is a
 * JSON object naming the signer's alg. Errors as jws_sign_bytes(), and
 * PROAUTH2_ERR_NOMEM. */
PROAUTH2_WARN_UNUSED proauth2_status jws_sign_compact(const jws_signer *signer,
		const char *header, const unsigned char *payload, size_t len,
		char **out, proauth2_error *err);

/* claims (a JSON object, borrowed) signed by signer (not NULL), in *out
 * (free()). The protected header is {"alg":..,"kid":..,"typ":..}, in that
 * order, compact; typ may be NULL, and is then left out. claims are
 * serialized compact, in their own order. Not an object, or no kid:
 * PROAUTH2_ERR_INVALID_ARGUMENT; else as jws_sign_compact(). */
PROAUTH2_WARN_UNUSED proauth2_status jws_sign(const jws_signer *signer,
		const char *kid, const char *typ, const json_t *claims, char **out,
		proauth2_error *err);

/* The key a token names: kid (borrowed for the call) and alg as its header
 * gives them, alg one of the three. Returns a new reference that
 * jws_verify() frees with EVP_PKEY_free(), or NULL when no such key is
 * known; a key set that rotates may drop its own reference meanwhile. */
typedef EVP_PKEY *(*jws_key_lookup)(const char *kid, jws_alg alg, void *arg);

/* Why jws_verify() refused a token, for logs and tests: a relying party
 * answers each the same way, invalid_token. */
typedef enum jws_fault {
	JWS_FAULT_NONE,
	JWS_FAULT_MALFORMED,     /* length, parts, base64url, JSON, header */
	JWS_FAULT_ALG_REFUSED,   /* alg missing or none of the three */
	JWS_FAULT_UNKNOWN_KEY,   /* the lookup knows no such kid */
	JWS_FAULT_KEY_MISMATCH,  /* the key found is not one for alg */
	JWS_FAULT_BAD_SIGNATURE, /* wrong length or does not verify */
} jws_fault;

/* token checked strictly: at most JWS_MAX_LENGTH bytes; exactly three
 * parts, each canonical unpadded base64url; a header that is a JSON object
 * without repeated members, nested at most PROAUTH2_FIELD_MAX_DEPTH, with
 * a string "alg" among the three, a non-empty string "kid" and no "crit";
 * a signature by the key lookup(kid, alg, arg) gives, of that alg; a
 * payload that is a JSON object held to the same rules (parsed only once
 * the signature holds). Then PROAUTH2_OK, and new references to the header
 * in *header and the claims in *claims (either may be NULL: not wanted);
 * the caller checks typ, iss, aud, exp and the rest. A refused token:
 * PROAUTH2_ERR_INVALID_TOKEN, and the reason in *fault (may be NULL; set
 * to JWS_FAULT_NONE unless refused). PROAUTH2_ERR_NOMEM and
 * PROAUTH2_ERR_CRYPTO are ours, not the token's. */
PROAUTH2_WARN_UNUSED proauth2_status jws_verify(const char *token,
		jws_key_lookup lookup, void *arg, json_t **header, json_t **claims,
		jws_fault *fault, proauth2_error *err);

#endif
