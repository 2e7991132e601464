"""What a stack is: the spec model, stack files, the catalog and what is known about parts."""
