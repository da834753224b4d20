"""The catalog as data: located documents, entities, typed kinds, references, resolution."""
