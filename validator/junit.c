/*
 * junit.c: `policy test -f junit`: the cases as JUnit XML, the format CI
 * systems read (one <testsuite> per test file, a <failure> per failed case).
 */
#include "policy_test.h"

#include <string.h>

/* Text as XML character data or an attribute value. Characters XML 1.0
 * cannot hold at all (controls other than tab, newline and return) become
 * '?'; the inputs are valid UTF-8 (yaml_load.c checks it). */
void gv_xml_text(gv_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '&': gv_buf_puts(b, "&amp;"); break;
		case '<': gv_buf_puts(b, "&lt;"); break;
		case '>': gv_buf_puts(b, "&gt;"); break;
		case '"': gv_buf_puts(b, "&quot;"); break;
		case '\'': gv_buf_puts(b, "&apos;"); break;
		case '\t': gv_buf_puts(b, "&#9;"); break;
		case '\n': gv_buf_puts(b, "&#10;"); break;
		case '\r': gv_buf_puts(b, "&#13;"); break;
		default:
			gv_buf_putc(b, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
		}
	}
}

static void suite_head(gv_buf *b, const char *name, size_t tests, size_t failures)
{
	gv_buf_puts(b, "  <testsuite name=\"");
	gv_xml_text(b, name);
	gv_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		      tests, failures);
}

void gv_junit_write(gv_buf *out, const gv_ptest *t, const char *coverage_failure)
{
	size_t i, j, n, nf;

	gv_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	gv_buf_printf(out, "<testsuites name=\"govgate policy test\" tests=\"%zu\" "
		      "failures=\"%zu\" errors=\"0\">\n", t->ncases + (coverage_failure != NULL),
		      t->nfailed + (coverage_failure != NULL));
	for (i = 0; i < t->ncases; i = j) {
		for (j = i, nf = 0; j < t->ncases && !strcmp(t->cases[j].file, t->cases[i].file);
		     j++)
			nf += t->cases[j].diff != NULL;
		suite_head(out, t->cases[i].file, j - i, nf);
		for (n = i; n < j; n++) {
			const gv_ptest_case *c = &t->cases[n];
			gv_buf_puts(out, "    <testcase classname=\"");
			gv_xml_text(out, c->file);
			gv_buf_puts(out, "\" name=\"");
			gv_xml_text(out, c->name);
			gv_buf_puts(out, "\" file=\"");
			gv_xml_text(out, c->file);
			gv_buf_printf(out, "\" line=\"%u\"", c->line);
			if (!c->diff) {
				gv_buf_puts(out, "/>\n");
				continue;
			}
			gv_buf_puts(out, ">\n      <failure message=\"");
			gv_xml_text(out, c->diff);
			gv_buf_puts(out, "\" type=\"mismatch\">");
			gv_buf_printf(out, "%s:%u:%u: ", c->file, c->line, c->col);
			gv_xml_text(out, c->diff);
			gv_buf_puts(out, "</failure>\n    </testcase>\n");
		}
		gv_buf_puts(out, "  </testsuite>\n");
	}
	if (coverage_failure) {
		suite_head(out, "coverage", 1, 1);
		gv_buf_puts(out, "    <testcase classname=\"coverage\" name=\"minimum coverage\">\n"
			    "      <failure message=\"");
		gv_xml_text(out, coverage_failure);
		gv_buf_puts(out, "\" type=\"coverage\">");
		gv_xml_text(out, coverage_failure);
		gv_buf_puts(out, "</failure>\n    </testcase>\n  </testsuite>\n");
	}
	gv_buf_puts(out, "</testsuites>\n");
}
