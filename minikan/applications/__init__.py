"""The paper's applications beyond plain regression: input derivatives and PDE solving
(Section 3.4), continual learning (Section 3.5) and the unsupervised mode (Section 4.2)."""
