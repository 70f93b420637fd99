/* application/x-www-form-urlencoded bodies and query strings, strictly. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <proauth2/http.h>

#include "form.h"
#include "utf8.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *form_decode(const char *s, size_t len, int plus_is_space)
{
	char *out = malloc(len + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				goto bad;
			hi = hex_value(s[i + 1]);
			lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == '\0')
			goto bad;
		out[o++] = c;
	}
	out[o] = '\0';
	if (!utf8_valid(out, o))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

void form_clear(form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->params[i].name);
		free(f->params[i].value);
	}
	f->n = 0;
}

static bool has_param(const form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->params[i].name, name) == 0)
			return true;
	return false;
}

proauth2_status form_parse(const char *s, size_t len, form *out,
		proauth2_error *err)
{
	size_t start = 0;

	out->n = 0;
	if (s == NULL || len == 0)
		return PROAUTH2_OK;
	if (len > FORM_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"request parameters exceed %d bytes", FORM_MAX_LENGTH);
	while (start <= len) {
		const char *pair = s + start;
		const char *amp = memchr(pair, '&', len - start);
		size_t pair_len = amp ? (size_t)(amp - pair) : len - start;
		const char *eq = memchr(pair, '=', pair_len);
		size_t name_len = eq ? (size_t)(eq - pair) : pair_len;
		char *name, *value;

		start += pair_len + 1;
		if (pair_len == 0)
			continue;  /* "a=1&&b=2" and a trailing '&' are harmless */
		if (out->n == FORM_MAX_PARAMS) {
			form_clear(out);
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"more than %d request parameters", FORM_MAX_PARAMS);
		}
		name = form_decode(pair, name_len, 1);
		value = eq ? form_decode(eq + 1, pair_len - name_len - 1, 1) : strdup("");
		if (name == NULL || value == NULL || name[0] == '\0') {
			free(name);
			free(value);
			form_clear(out);
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"malformed request parameter encoding");
		}
		if (has_param(out, name)) {
			form_clear(out);
			/* Named only when it is a plain name: a client's
			 * input is never echoed as it came. */
			if (strlen(name) <= 40 && strspn(name, "abcdefghijklmnopqrstuvwxyz"
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(name))
				proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
						"parameter %s is repeated", name);
			else
				proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
						"a parameter is repeated");
			free(name);
			free(value);
			return PROAUTH2_ERR_INVALID_REQUEST;
		}
		out->params[out->n].name = name;
		out->params[out->n].value = value;
		out->n++;
	}
	return PROAUTH2_OK;
}

const char *form_get(const form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->params[i].name, name) == 0)
			return f->params[i].value[0] != '\0' ? f->params[i].value : NULL;
	return NULL;
}

/* The public face of the parser, for the host's login and consent forms. */
struct proauth2_form {
	form parsed;
};

proauth2_status proauth2_form_parse(const char *s, size_t len,
		proauth2_form **out, proauth2_error *err)
{
	proauth2_form *f;
	proauth2_status status;

	*out = NULL;
	f = malloc(sizeof(*f));
	if (f == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	status = form_parse(s, len, &f->parsed, err);
	if (status != PROAUTH2_OK) {
		free(f);
		return status;
	}
	*out = f;
	return PROAUTH2_OK;
}

const char *proauth2_form_get(const proauth2_form *f, const char *name)
{
	return form_get(&f->parsed, name);
}

void proauth2_form_free(proauth2_form *f)
{
	if (f == NULL)
		return;
	form_clear(&f->parsed);
	free(f);
}
