"""Tools around the models: saving and loading, conversion to and from pykan and efficient-kan,
the golden-file verifier and finite-difference gradient checks."""
