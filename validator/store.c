/*
 * store.c: picks the backend a --db target names (store.h).
 */
#include "store.h"
#include "gv.h"

#include <string.h>

int gv_store_is_pg(const char *t)
{
	static const char *const keys[] = {
		"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service",
		"sslmode", "connect_timeout", "application_name", "options", "target_session_attrs",
		NULL
	};
	size_t i, n;

	if (!strncmp(t, "postgresql://", 13) || !strncmp(t, "postgres://", 11))
		return 1;
	for (i = 0; keys[i]; i++) {
		n = strlen(keys[i]);
		if (!strncmp(t, keys[i], n) && (t[n] == '=' || t[n] == ' '))
			return strchr(t + n, '=') != NULL;
	}
	return 0;
}

int gv_store_open(gv_store **out, const char *target, int create, gv_diags *d)
{
	if (gv_store_is_pg(target))
		return gv_store_pg_open(out, target, create, d);
	return gv_store_sqlite_open(out, target, create, d);
}
