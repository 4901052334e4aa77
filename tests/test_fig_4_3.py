"""Quick variant of Figure 4.3 / Table 4 (knot signature from hyperbolic invariants)."""
import json

from paper_figures import fig_4_3


def test_fig_4_3_quick_small_kan_learns_the_signature_from_the_cusp_translations(tmp_path):
    summary = fig_4_3.main(["--quick", "--out", str(tmp_path)])
    claims = summary["claims"]
    n_class = summary["jobs"][0]["n_class"]
    # a 2e2-parameter KAN is far above chance (the largest class is 26 % of the knots)
    assert claims["kan_params"] <= 250 and claims["kan_test_acc"] > 0.6, claims
    assert claims["param_ratio"] >= 100
    # the signature is carried by the meridian and longitude translations: they are the top three
    # inputs of the KAN's hidden node, and mu_r alone is far more informative than mu_i alone
    top3 = set(claims["input_ranking"][:3])
    assert top3 == {fig_4_3.MU_R, fig_4_3.MU_I, fig_4_3.LAMBDA}, claims["input_ranking"]
    acc = claims["ablation_test_acc"]
    assert acc["mu_r"] > acc["mu_i"] + 0.1, acc
    assert n_class >= 8
    assert (tmp_path / "fig_4_3.png").stat().st_size > 0
    assert "not DeepMind" in json.loads((tmp_path / "fig_4_3.json").read_text())["data"]
