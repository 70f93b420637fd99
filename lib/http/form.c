/* application/x-www-form-urlencoded bodies and query strings, strictly. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

static form_param *find_param(form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->params[i].name, name) == 0)
			return &f->params[i];
	return NULL;
}

/* RFC 8707 §2: resource may come several times, one URI each, which the
 * form holds as one space-delimited list (a URI has no space). */
static proauth2_status add_resource(form_param *list, const char *value,
		proauth2_error *err)
{
	size_t len = strlen(list->value);
	char *joined;

	if (value[0] == '\0' || list->value[0] == '\0')
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TARGET,
				"resource is empty");
	joined = realloc(list->value, len + strlen(value) + 2);
	if (joined == NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
	joined[len] = ' ';
	strcpy(joined + len + 1, value);
	list->value = joined;
	return PROAUTH2_OK;
}

/* invalid_request about a parameter, named only when it is a plain name:
 * a client's input is never echoed as it came. */
static proauth2_status name_error(const char *name, const char *what,
		proauth2_error *err)
{
	if (strlen(name) <= 40 && strspn(name, "abcdefghijklmnopqrstuvwxyz"
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(name))
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"parameter %s %s", name, what);
	return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
			"a parameter %s", what);
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
		if (strcmp(name, FORM_RESOURCE) == 0 && strchr(value, ' ') != NULL) {
			free(name);
			free(value);
			form_clear(out);
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_TARGET,
					"resource is not an absolute URI");
		}
		if (find_param(out, name) != NULL) {
			proauth2_status status = strcmp(name, FORM_RESOURCE) == 0 ?
				add_resource(find_param(out, name), value, err) :
				name_error(name, "is repeated", err);

			free(name);
			free(value);
			if (status != PROAUTH2_OK) {
				form_clear(out);
				return status;
			}
			continue;
		}
		out->params[out->n].name = name;
		out->params[out->n].value = value;
		out->n++;
	}
	return PROAUTH2_OK;
}

proauth2_status form_parse_json(const char *s, size_t len, form *out,
		proauth2_error *err)
{
	json_error_t jerr;
	json_t *doc, *value;
	const char *key;
	proauth2_status status = PROAUTH2_OK;

	out->n = 0;
	if (len > FORM_MAX_LENGTH)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"request parameters exceed %d bytes", FORM_MAX_LENGTH);
	if (s == NULL || memchr(s, '\0', len) != NULL)
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"the body is not a JSON object");
	/* jansson refuses invalid UTF-8 and, without JSON_ALLOW_NUL, an
	 * escaped NUL. */
	doc = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				doc == NULL && strstr(jerr.text, "duplicate") != NULL ?
				"a JSON member is repeated" : "the body is not a JSON object");
	}
	if (json_object_size(doc) > FORM_MAX_PARAMS)
		status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
				"more than %d request parameters", FORM_MAX_PARAMS);
	json_object_foreach(doc, key, value) {
		char *name, *text;

		if (status != PROAUTH2_OK)
			break;
		if (key[0] == '\0' || !json_is_string(value)) {
			status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"the JSON body must be a flat object of strings");
			break;
		}
		if (strcmp(key, FORM_RESOURCE) == 0 &&
				strchr(json_string_value(value), ' ') != NULL) {
			status = proauth2_error_set(err, PROAUTH2_ERR_INVALID_TARGET,
					"resource is not an absolute URI");
			break;
		}
		name = strdup(key);
		text = strdup(json_string_value(value));
		if (name == NULL || text == NULL) {
			free(name);
			free(text);
			status = proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
			break;
		}
		out->params[out->n].name = name;
		out->params[out->n].value = text;
		out->n++;
	}
	json_decref(doc);
	if (status != PROAUTH2_OK)
		form_clear(out);
	return status;
}

proauth2_status form_merge(form *into, const form *from, proauth2_error *err)
{
	size_t i, j;

	for (i = 0; i < from->n; i++) {
		const form_param *p = &from->params[i];
		char *name, *value;

		for (j = 0; j < into->n; j++)
			if (strcmp(into->params[j].name, p->name) == 0)
				break;
		if (j < into->n) {
			if (strcmp(into->params[j].value, p->value) != 0)
				return name_error(p->name, "differs between the query"
						" and the body", err);
			continue;
		}
		if (into->n == FORM_MAX_PARAMS)
			return proauth2_error_set(err, PROAUTH2_ERR_INVALID_REQUEST,
					"more than %d request parameters", FORM_MAX_PARAMS);
		name = strdup(p->name);
		value = strdup(p->value);
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			return proauth2_error_set(err, PROAUTH2_ERR_NOMEM, "out of memory");
		}
		into->params[into->n].name = name;
		into->params[into->n].value = value;
		into->n++;
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

size_t proauth2_form_count(const proauth2_form *f)
{
	return f->parsed.n;
}

const char *proauth2_form_name(const proauth2_form *f, size_t i)
{
	return i < f->parsed.n ? f->parsed.params[i].name : NULL;
}

void proauth2_form_free(proauth2_form *f)
{
	if (f == NULL)
		return;
	form_clear(&f->parsed);
	free(f);
}
