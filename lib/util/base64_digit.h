/* The digits of base64 (RFC 4648 §4) and base64url (§5). */
#ifndef PROAUTH2_UTIL_BASE64_DIGIT_H
#define PROAUTH2_UTIL_BASE64_DIGIT_H

/* The 6-bit value of c in the alphabet whose digits 62 and 63 are d62 and
 * d63 ('+' '/' for base64, '-' '_' for base64url); -1 for any other byte. */
int base64_digit(unsigned char c, char d62, char d63);

#endif
