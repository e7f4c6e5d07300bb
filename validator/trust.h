/*
 * trust.h: whose keys count, and for what (docs/GOVERNANCE.md).
 *
 *   apiVersion: govgate/v1
 *   kind: Trust
 *   metadata: {name: acme-payments}
 *   keys:                       # key paths are relative to this file
 *     - {name: ops-lead, roles: [platform-admin], key: keys/ops-lead.pub}
 *   require:
 *     signed_policies: true
 *     waiver_approvers: [compliance-officer, security-admin]
 *
 * Every key of every mapping is checked; unknown keys, unknown roles,
 * unreadable or non-Ed25519 key files, a name or a key listed twice are
 * errors at file:line:col (GV-T0xx) and the load fails with GV_EPARSE.
 * A trust file only ever adds requirements: nothing on the command line
 * weakens what it requires.
 *
 * Ownership: a gv_trust owns its keys, strings and the loaded file; every
 * pointer in it is borrowed and lives until gv_trust_free().
 */
#ifndef GV_TRUST_H
#define GV_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "node.h"
#include "sign.h"

#define GV_TRUST_ENV "GOVGATE_TRUST"
#define GV_TRUST_KIND "Trust"

/* Roles, as bits of a mask. */
enum {
	GV_ROLE_PLATFORM_ADMIN = 1u << 0,
	GV_ROLE_SECURITY_ADMIN = 1u << 1,
	GV_ROLE_COMPLIANCE_OFFICER = 1u << 2,
	GV_ROLE_POLICY_SIGNER = 1u << 3,
	GV_ROLE_ALL = (1u << 4) - 1
};

typedef struct gv_trust_key {
	const char *name;        /* unique in the file */
	unsigned roles;          /* GV_ROLE_* mask, at least one */
	const char *key_path;    /* resolved against the trust file's folder */
	gv_key *key;             /* the public key */
	char keyid[GV_KEYID_HEX_LEN + 1];
	gv_loc loc;              /* the entry in the trust file */
} gv_trust_key;

typedef struct gv_trust {
	const char *path;        /* as given */
	const char *name;        /* metadata.name */
	gv_trust_key *keys;
	size_t nkeys;
	bool signed_policies;    /* require.signed_policies */
	unsigned waiver_approvers;  /* require.waiver_approvers: a role mask, 0 = none */
	gv_file *file;
	struct gv_arena *arena;
} gv_trust;

/* Loads and checks a trust file; *out is set only on success. */
int gv_trust_load(gv_trust **out, const char *path, gv_diags *d);
void gv_trust_free(gv_trust *t);  /* NULL ok */

/* The entry holding the key with this key id, or NULL. Borrowed. */
const gv_trust_key *gv_trust_find(const gv_trust *t, const char *keyid);

/* A role's bit from its name ("platform-admin", ...), 0 when unknown. */
unsigned gv_role_parse(const char *name);
/* The name of one role bit; "?" for anything else. */
const char *gv_role_name(unsigned role);
/* "platform-admin, security-admin, compliance-officer, policy-signer". */
#define GV_ROLE_NAMES "platform-admin, security-admin, compliance-officer, policy-signer"

#endif
