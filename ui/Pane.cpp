#include "Pane.h"
