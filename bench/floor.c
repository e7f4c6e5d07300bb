/*
 * floor.c: the benchmark's floor. Parses every manifest into a libyaml
 * document tree (yaml_parser_load, then yaml_document_delete) and does
 * nothing else, so it is the least any YAML policy engine built on libyaml
 * must spend. Each file is read whole into memory first, as a checker that
 * also hashes or re-reads its input would.
 *
 * With -e it only runs libyaml's event parser (yaml_parser_parse) and
 * builds nothing: the stricter floor, below any engine that keeps a tree.
 *
 *   floor [-e] [-l LISTFILE] [FILE...]
 *
 * LISTFILE holds one path a line. Exits 1 if any file fails to parse, after
 * naming it, so a broken corpus cannot make the floor look fast.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static unsigned char *buf;
static size_t bufcap;
static int events_only;

static int slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, got;

	if (!f)
		return -1;
	for (;;) {
		if (bufcap - n < 65536) {
			size_t cap = bufcap ? bufcap * 2 : 1 << 20;
			unsigned char *p = realloc(buf, cap);
			if (!p) {
				fclose(f);
				return -1;
			}
			buf = p;
			bufcap = cap;
		}
		got = fread(buf + n, 1, bufcap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	*len = n;
	return fclose(f) ? -1 : 0;
}

/* Returns the number of documents parsed, or -1. */
static long parse_file(const char *path)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	size_t len;
	long ndocs = 0;

	if (slurp(path, &len) < 0) {
		fprintf(stderr, "floor: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (!yaml_parser_initialize(&parser))
		return -1;
	yaml_parser_set_input_string(&parser, buf, len);
	while (events_only) {
		yaml_event_t ev;
		int type;

		if (!yaml_parser_parse(&parser, &ev)) {
			fprintf(stderr, "floor: %s:%zu:%zu: %s\n", path, parser.problem_mark.line + 1,
				parser.problem_mark.column + 1, parser.problem ? parser.problem : "error");
			yaml_parser_delete(&parser);
			return -1;
		}
		type = ev.type;
		ndocs += type == YAML_DOCUMENT_START_EVENT;
		yaml_event_delete(&ev);
		if (type == YAML_STREAM_END_EVENT) {
			yaml_parser_delete(&parser);
			return ndocs;
		}
	}
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			fprintf(stderr, "floor: %s:%zu:%zu: %s\n", path, parser.problem_mark.line + 1,
				parser.problem_mark.column + 1, parser.problem ? parser.problem : "error");
			yaml_parser_delete(&parser);
			return -1;
		}
		if (!yaml_document_get_root_node(&doc)) {
			yaml_document_delete(&doc);
			break;
		}
		ndocs++;
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return ndocs;
}

int main(int argc, char **argv)
{
	long files = 0, docs = 0, n;
	int a, bad = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-e")) {
			events_only = 1;
		} else if (!strcmp(argv[a], "-l") && a + 1 < argc) {
			FILE *l = fopen(argv[++a], "r");
			char line[4096];

			if (!l) {
				fprintf(stderr, "floor: cannot read '%s': %s\n", argv[a], strerror(errno));
				return 2;
			}
			while (fgets(line, sizeof(line), l)) {
				line[strcspn(line, "\r\n")] = '\0';
				if (!*line)
					continue;
				files++;
				if ((n = parse_file(line)) < 0)
					bad = 1;
				else
					docs += n;
			}
			fclose(l);
		} else {
			files++;
			if ((n = parse_file(argv[a])) < 0)
				bad = 1;
			else
				docs += n;
		}
	}
	free(buf);
	fprintf(stderr, "floor: %ld files, %ld documents\n", files, docs);
	return bad;
}
