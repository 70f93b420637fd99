-- GET with the Authorization header in $AUTH.
wrk.headers["Authorization"] = os.getenv("AUTH")
