"""classify commands: classify, train, evaluate, label."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from warning.classify.card_text import decision_text, judging_text
from warning.classify.watchlists import load_watchlist
from warning.cli.group import cli, get_app, get_scope, require_programme
from warning.errors import AccessDenied, NotFound
from warning.store.scope import can_see_watchlist


def _check_watchlist(ctx: click.Context, name: str, *, train: bool = False) -> None:
    """NotFound for a watchlist the acting person may not see; training (or relabelling the
    model of) a shared watchlist is the programme's, an own one its owner's reviewers'."""
    scope = get_scope(ctx)
    if scope.is_programme:
        return
    app = get_app(ctx)
    wl = load_watchlist(name, app.config.watchlists_dir)
    if not can_see_watchlist(app.db, scope, wl.name):
        raise NotFound(f"no watchlist {wl.name!r}")
    if train and (wl.owner != scope.org_id or not scope.can_review):
        raise AccessDenied(f"the model of {wl.name} is trained by {wl.owner or 'the programme'}")


@cli.command()
@click.option(
    "--watchlist", "watchlist", metavar="NAME", help="Only this watchlist (name or path to its TOML)."
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.option("--rescore", is_flag=True, help="Score every publication again (e.g. after retraining).")
@click.pass_context
def classify(ctx: click.Context, watchlist: str | None, progress: bool | None, rescore: bool) -> None:
    """Score the publications not yet scored and write their matches.

    Every watchlist is scored in one pass over each batch; a watchlist without a trained model
    is scored by its rules (codes, keywords, competitors). Each watchlist remembers how far it
    has scored, so running it again scores nothing new and a new watchlist catches up.
    A match's evidence (top terms, rules hit) is computed where it is first read (an alert, a
    digest, the publication page) and kept in the match from then on.
    --rescore scores everything again for the named (or every) watchlist: existing matches are
    updated in place (a changed score clears the evidence kept for the old one), and a match now
    below the threshold is kept, as its alert may have gone out.

    \b
    Examples:
      warning classify
      warning classify --watchlist motorcycles
      warning classify --rescore --watchlist motorcycles
    """
    # Deferred for start-up time: the classifier loads numpy, scipy and scikit-learn.
    from warning.classify.run import classify_pending

    app = get_app(ctx)
    require_programme(ctx, "classifying")
    show = sys.stderr.isatty() if progress is None else progress
    counts = classify_pending(app, watchlist, progress=show, rescore=rescore)
    updated = f", {counts['updated']} updated" if rescore else ""
    click.echo(
        f"{counts['publications']} publication(s) scored against {counts['watchlists']} watchlist(s): "
        f"{counts['matches']} new match(es){updated}"
    )
    for name, error in counts["errors"].items():
        click.echo(f"error: watchlist {name} skipped: {error}", err=True)
    if counts["errors"]:
        ctx.exit(1)


@cli.command()
@click.argument("watchlist")
@click.option(
    "--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Labelled JSON Lines file."
)
@click.pass_context
def train(ctx: click.Context, watchlist: str, data: Path | None) -> None:
    """Train a watchlist's model and write it with its card to classifiers/NAME/.

    Without --data: cold start from the store (seeds and strong rule hits as positives, a random
    sample of the store as background) plus reviewers' labels. With --data: the file's labels
    plus reviewers' labels (which train the model while the file's examples judge it); a
    publication the store holds is read with the store's codes and applicants where the file has
    none. WATCHLIST is a name or a path to its TOML file. The watchlist then
    decides by its rules alone, the model, or both, whichever its own examples show clearly
    best (a cold start: every rule hit plus the model's finds); the output says which.

    \b
    Examples:
      warning train motorcycles
      warning train watchlists/led-lighting.toml --data labelled/led.jsonl
    """
    # Deferred for start-up time: the classifier loads numpy, scipy and scikit-learn.
    from warning.classify.train import train_watchlist

    app = get_app(ctx)
    _check_watchlist(ctx, watchlist, train=True)
    card = train_watchlist(app, watchlist, data)
    counts = card["counts"]
    click.echo(
        f"trained {card['watchlist']}: {counts['positives']} relevant, {counts['negatives']} irrelevant "
        f"examples; threshold {card['threshold']:.3f}"
    )
    cv = card["cv"] or {}
    if not cv:  # `fit_linear`: fewer than two of a class, nothing to cross-validate on
        click.echo(
            "  too few examples of a class to cross-validate: threshold 0.5, untested; label more"
            " / 某类样本太少，无法交叉验证：阈值0.5未经检验，请补充标注"
        )
    else:
        click.echo(
            f"  cross-validated ({cv['folds']} folds): precision {cv['precision']:.3f}, "
            f"recall {cv['recall']:.3f}, F1 {cv['f1']:.3f}, PR-AUC {cv['pr_auc']:.3f}"
        )
    if judged_on := judging_text(card):
        click.echo(f"  judged on 评估依据: {judged_on}")
    if cv.get("mode"):
        click.echo(f"  decides by 决策方式: {decision_text(cv)}")
    click.echo(f"  model: {app.config.classifiers_dir / card['watchlist']}")


@cli.command()
@click.argument("watchlist")
@click.option(
    "--data",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled JSON Lines file.",
)
@click.option("--cv", type=click.IntRange(2, 20), help="Cross-validate on the file with K folds instead.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def evaluate(ctx: click.Context, watchlist: str, data: Path, cv: int | None, as_json: bool) -> None:
    """Precision, recall, F1 and PR-AUC at the watchlist's threshold, keyword baseline beside.

    Without --cv the watchlist's current model scores FILE; with --cv K a model is trained and
    tested on K folds of FILE. The baseline is the watchlist's keywords as a boolean query.

    \b
    Examples:
      warning evaluate motorcycles --data labelled/moto.jsonl
      warning evaluate motorcycles --data labelled/moto.jsonl --cv 5 --json
    """
    # Deferred for start-up time: the classifier loads numpy, scipy and scikit-learn.
    from warning.classify.evaluate import evaluate_file

    app = get_app(ctx)
    _check_watchlist(ctx, watchlist)
    result = evaluate_file(app, watchlist, data, cv)
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{'':10} {'precision':>9} {'recall':>7} {'F1':>6} {'PR-AUC':>7}   (n = {result['n']})")
    for label, row in (("model", result), ("keywords", result["baseline"])):
        click.echo(
            f"{label:10} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} {row['pr_auc']:7.3f}"
        )


@cli.command()
@click.argument("publication", required=False)
@click.argument("watchlist", required=False)
@click.argument("judgement", required=False, type=click.Choice(["relevant", "irrelevant"]))
@click.option("--suggest", "suggest_for", metavar="WATCHLIST", help="List what to review next for WATCHLIST.")
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(1, 10_000), help="How many suggestions."
)
@click.option("--who", default="", help="Reviewer name kept with the label.")
@click.pass_context
def label(ctx, publication, watchlist, judgement, suggest_for, limit, who) -> None:
    """Record a reviewer's judgement, or suggest what to review next.

    Judgements outweigh every other example when the watchlist is retrained; they train the
    model, and a labelled file (where there is one) judges it. --suggest lists unlabelled
    publications among the store's newest 50,000: three in five scored nearest the threshold
    ("uncertain"), two in five drawn at random ("sample") so that relevant publications the model
    misses are found too. Columns: publication, score, why, title.

    \b
    Examples:
      warning label US-20240123456-A1 motorcycles relevant
      warning label EP-4123456-A1 nev-batteries irrelevant --who zhang
      warning label --suggest motorcycles --limit 20
    """
    # Deferred for start-up time: the classifier loads numpy, scipy and scikit-learn.
    from warning.classify.feedback import (
        label_publication,
        suggest,
    )

    app = get_app(ctx)
    if suggest_for:
        _check_watchlist(ctx, suggest_for)
        for item in suggest(app, suggest_for, limit, get_scope(ctx)):
            click.echo(f"{item['publication']}\t{item['score']:.3f}\t{item['why']}\t{item['title'][:100]}")
        return
    if not (publication and watchlist and judgement):
        raise click.UsageError("give PUBLICATION WATCHLIST relevant|irrelevant, or --suggest WATCHLIST")
    as_login = ctx.find_root().obj.get("as_login") or ""
    saved = label_publication(
        app, publication, watchlist, judgement == "relevant", who or as_login, get_scope(ctx)
    )
    click.echo(f"labelled {saved['publication']} {judgement} for {saved['watchlist']}")
