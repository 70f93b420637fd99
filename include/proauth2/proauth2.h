/** \file
 * proauth2 — an embeddable OAuth 2 authorization-server core.
 * The umbrella header: include this one.
 */
#ifndef PROAUTH2_H
#define PROAUTH2_H

#include <proauth2/common.h>
#include <proauth2/version.h>
#include <proauth2/error.h>
#include <proauth2/event.h>
#include <proauth2/secret.h>
#include <proauth2/backend.h>
#include <proauth2/datastore.h>
#include <proauth2/provider.h>
#include <proauth2/client.h>
#include <proauth2/token.h>
#include <proauth2/scope.h>
#include <proauth2/authorization.h>
#include <proauth2/throttle.h>
#include <proauth2/resource.h>
#include <proauth2/openid.h>
#include <proauth2/consent.h>
#include <proauth2/logout.h>
#include <proauth2/sqlite.h>
#include <proauth2/http.h>

#endif
