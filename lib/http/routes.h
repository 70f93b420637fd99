/* The paths the endpoint layer serves (RFC 8414 advertises them). */
#ifndef PROAUTH2_LIB_HTTP_ROUTES_H
#define PROAUTH2_LIB_HTTP_ROUTES_H

#define ROUTE_AUTHORIZE "/authorize"
#define ROUTE_TOKEN "/token"
#define ROUTE_REVOKE "/revoke"
#define ROUTE_INTROSPECT "/introspect"
#define ROUTE_REGISTER "/register"
#define ROUTE_METADATA "/.well-known/oauth-authorization-server"

#endif
