/* Private signing keys at rest: sealed under a key-encryption key (KEK) the
 * host holds, so a datastore never sees one in the clear. Internal.
 *
 * A sealed key is the text "v1." base64url(nonce || ciphertext || tag):
 * AES-256-GCM of the key's PKCS#8 DER under the KEK, a random 96-bit
 * nonce, the kid as additional authenticated data (a sealed key moved to
 * another kid does not open) and a 128-bit tag.
 *
 * Both functions may be called from several threads at once. */
#ifndef PROAUTH2_LIB_KEY_SEAL_H
#define PROAUTH2_LIB_KEY_SEAL_H

#include <openssl/evp.h>

#include <proauth2/error.h>

#define KEY_SEAL_KEK_SIZE 32
/* The longest sealed key key_open() reads: an 8192-bit RSA key's PKCS#8
 * is some 4.9 KB, 6.6 KB sealed. */
#define KEY_SEAL_MAX_LENGTH 16384

/* key's private half sealed under kek for kid, in *out (free(); not a
 * secret). The DER is wiped once sealed. No kid: PROAUTH2_ERR_INVALID_ARGUMENT;
 * a key without its private half, or OpenSSL failing: PROAUTH2_ERR_CRYPTO;
 * else PROAUTH2_ERR_NOMEM. */
PROAUTH2_WARN_UNUSED proauth2_status key_seal(const EVP_PKEY *key,
		const unsigned char kek[KEY_SEAL_KEK_SIZE], const char *kid,
		char **out, proauth2_error *err);

/* The private key that sealed holds, in *out (EVP_PKEY_free()), if it was
 * sealed under kek for kid and not a byte of it changed since; of whatever
 * type was sealed (jws_key_fits() tells if it is the one expected). Otherwise
 * PROAUTH2_ERR_CRYPTO (a wrong KEK or kid, an altered or truncated text,
 * another version) or PROAUTH2_ERR_NOMEM, and nothing decrypted is left in
 * memory. */
PROAUTH2_WARN_UNUSED proauth2_status key_open(const char *sealed,
		const unsigned char kek[KEY_SEAL_KEK_SIZE], const char *kid,
		EVP_PKEY **out, proauth2_error *err);

#endif
