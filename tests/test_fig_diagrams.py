"""The three pure diagrams (Figures 0.1, 2.1, 6.1): their content is drawn, files go only to --out."""
import json
import os

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from paper_figures import _common, fig_0_1, fig_2_1, fig_6_1


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _gids(ax, prefix):
    return [a.get_gid() for a in ax.get_children() if (a.get_gid() or "").startswith(prefix)]


@pytest.mark.parametrize("module, name", [(fig_0_1, "fig_0_1"), (fig_2_1, "fig_2_1"), (fig_6_1, "fig_6_1")])
def test_diagram_writes_png_and_json_only_to_out(module, name, tmp_path, monkeypatch, capsys):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # nothing may land in the working directory
    default_out = os.path.join(_common.DEFAULT_OUT, name)
    before = sorted(os.listdir(default_out)) if os.path.isdir(default_out) else None
    out = tmp_path / "out"
    summary = module.main(["--quick", "--out", str(out)])
    assert sorted(p.name for p in out.iterdir()) == [f"{name}.json", f"{name}.png"]
    assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out / f"{name}.json").read_text())
    assert saved["quick"] is True and saved["claims"] == json.loads(json.dumps(summary["claims"]))
    assert list(cwd.iterdir()) == []
    after = sorted(os.listdir(default_out)) if os.path.isdir(default_out) else None
    assert after == before
    assert json.loads(capsys.readouterr().out) == saved["claims"]  # the claims are printed


# ---------------------------------------------------------------------------------- Figure 0.1
def test_fig_0_1_draws_the_four_formulas_and_both_theorems():
    fig = fig_0_1.figure()
    assert isinstance(fig, Figure)
    texts = "\n".join(_texts(fig))
    for formula in (r"\sum_{i=1}^{N(\epsilon)} a_i\,\sigma(\mathbf{w}_i \cdot \mathbf{x} + b_i)",
                    r"\sum_{q=1}^{2n+1} \Phi_q\left(\sum_{p=1}^{n} \phi_{q,p}(x_p)\right)",
                    r"\mathbf{W}_3 \circ \sigma_2 \circ \mathbf{W}_2 \circ \sigma_1 \circ \mathbf{W}_1",
                    r"\Phi_3 \circ \Phi_2 \circ \Phi_1"):
        assert formula in texts
    assert "Universal Approximation Theorem" in texts
    assert "Kolmogorov-Arnold Representation Theorem" in texts
    fig.canvas.draw()  # every mathtext string must render


def test_fig_0_1_puts_fixed_activations_on_nodes_and_learnable_ones_on_edges():
    fig = fig_0_1.figure()
    a, b, c, d = fig.axes
    # (a) [2, 5, 1] MLP: 15 weighted edges, a fixed sigma on each of the 5 hidden nodes
    assert len(_gids(a, "learnable-weight")) == 15
    assert len(_gids(a, "fixed-activation")) == 5 and not _gids(a, "learnable-activation")
    # (b) [2, 5, 1] KAN (Eq. 2.1 with n = 2): a learned curve on each of the 15 edges, sums on nodes
    assert len(_gids(b, "learnable-activation")) == 15
    assert len(_gids(b, "sum-node")) == 5 and not _gids(b, "fixed-activation")
    # (c), (d) [2, 3, 3, 1]: 6 + 9 + 3 = 18 edges, 6 hidden nodes
    assert len(_gids(c, "learnable-weight")) == 18 and len(_gids(c, "fixed-activation")) == 6
    assert len(_gids(d, "learnable-activation")) == 18 and len(_gids(d, "sum-node")) == 6
    deep_labels = {t.get_text() for t in c.texts + d.texts if t.get_gid() == "layer-label"}
    assert {r"$\mathbf{W}_1$", r"$\mathbf{W}_3$", r"$\sigma_2$", r"$\Phi_1$", r"$\Phi_3$"} <= deep_labels


def test_fig_0_1_claims_count_from_the_drawing(tmp_path):
    summary = fig_0_1.main(["--out", str(tmp_path)])
    claims = summary["claims"]
    assert claims["formulas_drawn"] == 4
    assert claims["a"] == {"learnable_weights_on_edges": True, "fixed_activations_on_nodes": True}
    assert claims["b"]["learnable_activations_on_edges"] and claims["b"]["width_2n_plus_1"]
    assert claims["d"]["learnable_activations_on_edges"] and claims["d"]["sum_nodes"]
    assert summary["drawn"]["b"]["counts"]["learnable-activation"] == 15


# ---------------------------------------------------------------------------------- Figure 2.1
def test_fig_2_1_flows_from_the_theorem_to_both_branches():
    fig = fig_2_1.figure()
    inv = fig_2_1.inventory(fig)
    assert len(inv["boxes"]) == 8 and len(inv["arrows"]) == 6
    claims = fig_2_1.claims(inv)
    assert claims["theorem_leads_to_kan"] and claims["kan_branches_into_accuracy_and_interpretability"]
    assert claims["accuracy_branch_reaches_section_3"] and claims["interpretability_branch_reaches_science"]
    assert claims["portraits"] == 0  # boxes only
    for section in ("2.1", "2.2", "2.4", "2.5", "3", "4.3", "4.4", "5", "6"):
        assert section in claims["sections_named"]
    texts = "\n".join(_texts(fig))
    for words in ("Kolmogorov", "Arnold", "grid extension", "knot theory", "Anderson localization",
                  "mathematically sound", "accurate", "interpretable"):
        assert words in texts


def test_fig_2_1_claims_react_to_a_missing_arrow():
    inv = fig_2_1.inventory(fig_2_1.figure())
    inv["arrows"] = [a for a in inv["arrows"] if a != ["kan", "interpretability"]]
    claims = fig_2_1.claims(inv)
    assert not claims["kan_branches_into_accuracy_and_interpretability"]
    assert not claims["interpretability_branch_reaches_science"]
    assert claims["accuracy_branch_reaches_section_3"]


# ---------------------------------------------------------------------------------- Figure 6.1
def test_fig_6_1_tree_has_three_concerns_and_its_leaves():
    fig = fig_6_1.figure()
    inv = fig_6_1.inventory(fig)
    claims = fig_6_1.claims(inv)
    assert claims["concerns"] == ["Accuracy", "Interpretability", "Efficiency"]
    n_questions = sum(len(q) for q in fig_6_1.TREE.values())
    assert n_questions == 7 and claims["n_leaves"] == 2 * n_questions
    assert claims["n_boxes"] == 1 + 3 + 7 + 14 and claims["n_arrows"] == claims["n_boxes"] - 1  # a tree
    assert claims["all_boxes_reached_from_root"]
    leaves = claims["leaves_per_concern"]
    assert leaves["Accuracy"] == {"KAN": 3, "either is fine": 3}
    assert leaves["Interpretability"]["KAN"] == 2 and leaves["Interpretability"]["both are hard"] == 1
    assert leaves["Efficiency"]["MLP"] == 1
    assert claims["mlp_when"] == ["Do you need fast training? yes"]  # the paper's one case for MLPs
    texts = "\n".join(_texts(fig))
    assert "Should I use KANs or MLPs?" in texts
    for question in ("compositional structure", "continual", "input variables", "small model", "fast training"):
        assert question in texts


def test_fig_6_1_every_leaf_hangs_under_a_labelled_answer():
    inv = fig_6_1.inventory(fig_6_1.figure())
    for leaf in inv["leaves"]:
        assert leaf["concern"] in fig_6_1.TREE and leaf["question"] and leaf["answer"]
        assert leaf["recommendation"] in fig_6_1.LEAF_TEXT.values()
