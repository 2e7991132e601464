"""Running stacks: the engine boundary, one session, a stack's containers and readiness."""
