/* yaml_load.c: libyaml events -> gv_node (being written). */
#include "node.h"
