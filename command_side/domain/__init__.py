"""Pure decisions of the command side: imports only the standard library and ``contracts``."""
