# Thin aliases for ./dev (which works without make).
.PHONY: setup demo test lint synth bench openapi
setup demo test lint synth bench openapi:
	./dev $@
