/*
 * governance.h: the people in the loop of one `check` or `deploy` run
 * (docs/GOVERNANCE.md): the trust file, the signed approvals handed in,
 * and the rules that decide which approvals count. Both commands load a
 * gv_governance the same way and hand it to the gate (gate.h), which calls
 * gv_governance_apply() for each manifest file in input order, so the rules
 * live here only.
 *
 * An approval (approval.h) counts for a manifest document only if
 *   - it verifies under a key of the trust file (else bad-signature, or
 *     untrusted-key when no trusted key signed it),
 *   - that key holds the role the approval claims (else role-not-held),
 *   - its subject's SHA-256 is the manifest file's (else other-manifest),
 *   - its deployment id, when set, is the document's (else other-deployment),
 *   - it has not expired: it counts through its `expires` second and is
 *     expired from the next one on (else expired),
 *   - its key is not the run's initiator, the key given to --sign (else
 *     initiator),
 * and, for a policy with distinct_signers, its key is not already filling
 * another required role (else same-signer). A key fills a role at most once
 * (a copy of an approval adds nothing). Required roles are filled by a
 * maximum bipartite matching, so the answer does not depend on the order
 * of the approvals. A required role left unfilled is a finding of the
 * policy (rule "approvals") located at its `approvals` key, with the
 * policy's enforcement.
 *
 * Nothing on the command line weakens a trust file: --trust and
 * $GOVGATE_TRUST cannot replace the trust file a deployment plan names, and
 * a policy that requires approvals with no trust file is an input error.
 *
 * Ownership: a gv_governance owns its trust file, approvals and the
 * strings in them; the path lists it is given are borrowed and must outlive
 * it.
 */
#ifndef GV_GOVERNANCE_H
#define GV_GOVERNANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "gate.h"
#include "sign.h"
#include "statement.h"
#include "trust.h"

#define GV_GOVERNANCE_MAX_APPROVALS 256   /* approval files in one run */

/* Why an approval does not count (the report's `reason`). */
#define GV_APPROVAL_BAD_SIGNATURE "bad-signature"
#define GV_APPROVAL_UNTRUSTED_KEY "untrusted-key"
#define GV_APPROVAL_ROLE_NOT_HELD "role-not-held"
#define GV_APPROVAL_OTHER_MANIFEST "other-manifest"
#define GV_APPROVAL_OTHER_DEPLOYMENT "other-deployment"
#define GV_APPROVAL_EXPIRED "expired"
#define GV_APPROVAL_INITIATOR "initiator"
#define GV_APPROVAL_SAME_SIGNER "same-signer"

/* The report's `status`: counted (filled a required role), unused (counts,
 * but no policy needed it), rejected (see reason). */
#define GV_APPROVAL_COUNTED "counted"
#define GV_APPROVAL_UNUSED "unused"
#define GV_APPROVAL_REJECTED "rejected"

typedef struct gv_approval {
	const char *file;              /* as given */
	const gv_trust_key *signer;    /* the trusted key it verifies under; NULL if none */
	char keyid[GV_KEYID_HEX_LEN + 1];  /* the signer's, else the envelope's first key id */
	gv_statement *st;              /* the verified Statement; NULL unless signer */
	unsigned role;                 /* the claimed role's bit; 0 unless st */
	time_t expires;                /* 0: no expiry */
	const char *early;             /* bad-signature, untrusted-key or role-not-held */
	bool expired, initiator;
	/* what the run found, filled in by gv_governance_apply */
	bool manifest_seen;            /* its subject is a manifest of the run */
	bool deployment_seen;          /* ... in a document of its deployment */
	bool used;                     /* filled a required role */
	bool same_signer;              /* left out by distinct_signers */
} gv_approval;

typedef struct gv_governance {
	gv_trust *trust;               /* NULL: no trust file */
	bool own_trust;                /* loaded here (else borrowed, gv_governance_opts.loaded) */
	const char *trust_path;
	gv_approval *approvals;
	size_t napprovals;
	char initiator[GV_KEYID_HEX_LEN + 1];  /* the --sign key's id; "" none */
	time_t now;
	bool reported;                 /* reports carry `approvals` */
} gv_governance;

typedef struct gv_governance_opts {
	gv_trust *loaded;              /* the run's trust file, already loaded (govinputs.h);
					* borrowed. NULL: load it from trust, plan_trust */
	const char *trust;             /* --trust FILE; NULL: $GOVGATE_TRUST, then plan_trust */
	const char *plan_trust;        /* the trust file a plan names (resolved); NULL: none */
	const char *const *approvals;  /* --approval FILEs, then the plan's */
	size_t napprovals;
	const gv_key *initiator;       /* the key that signs the run's report; NULL: none */
	time_t now;                    /* the time approvals are judged at */
} gv_governance_opts;

/*
 * The trust file of a run: given (--trust), else $GOVGATE_TRUST when set
 * and not empty, else the plan's (NULL: none). A plan's trust file cannot
 * be replaced: given or $GOVGATE_TRUST naming another file is GV-G002.
 */
int gv_governance_pick_trust(const char **out, const char *given, const char *plan_trust,
			     gv_diags *d);

/*
 * Loads the trust file (unless o->loaded) and opens every approval. An approval file that
 * is not a DSSE envelope, or that verifies under a trusted key but is not
 * an approval Statement, is an input error (GV_EPARSE, naming the file);
 * approvals without a trust file are one too. *out is set only on success.
 */
int gv_governance_load(gv_governance **out, const gv_governance_opts *o, gv_diags *d);
void gv_governance_free(gv_governance *g);   /* NULL ok */

/*
 * Checks the program against the governance inputs before anything runs:
 * a policy that requires approvals needs a trust file (GV-G001 at the
 * policy's approvals key). Also decides whether reports list approvals
 * (g->reported).
 */
int gv_governance_check_program(gv_governance *g, const gv_program *p, gv_diags *d);

/*
 * Judges the approvals for each document of fr (evaluated against p) and
 * adds a finding for every required role left unfilled, raising the
 * document's decision. Records the approvals that counted in each
 * document's result (gv_result.approvals). Called by the gate in input
 * order, one file at a time, under the gate's lock and before the file's
 * findings are counted: the place where later governance inputs (waivers)
 * act on a file's findings too.
 */
void gv_governance_apply(gv_governance *g, const gv_program *p, gv_file_result *fr);

/* gv_governance_load, then gv_governance_check_program: what commands call. */
int gv_governance_setup(gv_governance **out, const gv_governance_opts *o, const gv_program *p,
			gv_diags *d);

/* An approval's status and reason (NULL when it counted or is unused). */
const char *gv_approval_status(const gv_approval *a);
const char *gv_approval_reason(const gv_approval *a);

/* The report's `"approvals":[...]` member, with a leading comma. */
void gv_governance_json(gv_buf *b, const gv_governance *g);
/* The approvals a document counted: [{"name","role","keyid"}...]. */
void gv_governance_used_json(gv_buf *b, const gv_governance *g, const gv_result *r);
/* One text line per approval ("approval FILE: counted ..."). */
void gv_governance_text(gv_buf *b, const gv_governance *g);

#endif
