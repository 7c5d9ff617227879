"""Training the hybrid LightFM model, judging it on a time-based hold-out, and deploying it only if it is not worse.

Run in a process of its own (`manage.py train_recommender`; the nightly Celery task starts that command as a
subprocess): LightFM's OpenMP threads hang a process forked after them (recommender-notes.md).

The model learns embeddings of *features*: visitors are their market, country, language, device, themes (their
market's preference weights, or their own picks), travel month and party; a consented profile with history is also
the routes it viewed, saved or booked before (`seen:<route>` features, HISTORY_SHARE of its vector), which is how
its history across visits shapes what it sees. Routes are their themes, area, best months, duration, price, party
fit and access, plus their identity (ITEM_IDENTITY_SHARE of their vector). A new route is therefore scored from its
features before anyone has seen it, and a new visitor from market and language alone. bench/RECOMMENDER.md has the
evaluation on synthetic visitors and how these choices were made.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from scipy import sparse

from analytics.anonymous_ids import TOKYO, tokyo_day
from analytics.interactions import Interaction, Visitor, route_interactions

from .features import (
    RouteFacts,
    VisitorContext,
    live_routes,
    market_of,
    market_priors,
    route_features,
    visitor_features,
)
from .models import TrainedModel

K = 5
MODEL_DIR = "recommender/models"
# Besides RECOMMENDER_COMPONENTS / _EPOCHS / _THREADS; bench/RECOMMENDER.md says how they were chosen.
LOSS = "warp"
LEARNING_RATE = 0.05
MAX_SAMPLED = 10  # WARP: negatives tried per positive before giving up (LightFM's default)
ALPHA = 0.0  # L2 penalty on user and item feature embeddings (LightFM's default: none)
HISTORY_SHARE = 0.3  # of a known profile's vector: the routes it interacted with (the rest: what it told us)
ITEM_IDENTITY_SHARE = 0.25  # of a route's vector: its identity (the rest: its themes, area, months...)
# A known profile's own routes move up by this share of its score range (times their damped weight, 0–1): people
# planning a trip come back to routes they looked at, which embeddings of `seen:` features reproduce only weakly.
HISTORY_BOOST = 1.0


@dataclass
class Vocabulary:
    """Feature name → column, grown while the training matrices are built, frozen in the model file."""

    index: dict[str, int]

    @classmethod
    def empty(cls) -> Vocabulary:
        return cls({})

    def column(self, name: str, grow: bool) -> int | None:
        if name not in self.index and grow:
            self.index[name] = len(self.index)
        return self.index.get(name)


def feature_rows(rows: list[list[tuple[str, float]]], vocabulary: Vocabulary, grow: bool) -> sparse.csr_matrix:
    """One L1-normalised row per entity (as LightFM's Dataset builds them).

    Rows that are the same list object (the many anonymous visitors who look alike) are encoded once."""
    data, indices, indptr = [], [], [0]
    encoded: dict[int, tuple[list[int], list[float]]] = {}  # id(row) → columns, values: `rows` keeps them alive
    for features in rows:
        found = encoded.get(id(features))
        if found is None:
            pairs = [(vocabulary.column(name, grow), weight) for name, weight in features]
            pairs = [(column, weight) for column, weight in pairs if column is not None]
            total = sum(weight for _, weight in pairs) or 1.0
            found = encoded[id(features)] = ([column for column, _ in pairs], [weight / total for _, weight in pairs])
        indices.extend(found[0])
        data.extend(found[1])
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)),
        shape=(len(rows), max(len(vocabulary.index), 1)),
    )


def context_of(visitor: Visitor) -> VisitorContext:
    return VisitorContext(
        country=visitor.country,
        lang=visitor.lang,
        device=visitor.device,
        interests=visitor.interests,
        travel_month=visitor.travel_month,
        party=visitor.party,
        profile_key=visitor.key if visitor.key.startswith("profile:") else None,
    )


def _share(share: float, others: list[tuple[str, float]]) -> float:
    """The total weight that makes a group of features `share` of a row whose other features are `others`."""
    rest = sum(weight for _, weight in others)
    return share / (1.0 - share) * rest if rest else 1.0


def user_feature_list(
    visitor: VisitorContext, markets, priors, histories: Mapping[str, Mapping[int, float]]
) -> list[tuple[str, float]]:
    """A visitor's features; a consented profile found in `histories` (profile key → {route: interaction weight},
    from the training window) is also the routes it interacted with, damped (log) so one long stay does not
    outweigh the rest."""
    features = visitor_features(visitor, markets, priors)
    history = histories.get(visitor.profile_key) if visitor.profile_key else None
    if history:
        damped = {route: math.log1p(weight) for route, weight in history.items() if weight > 0}
        total = sum(damped.values())
        if total > 0:
            scale = _share(HISTORY_SHARE, features) / total
            features += [(f"seen:{route}", weight * scale) for route, weight in sorted(damped.items())]
    return features


def history_vector(history: Mapping[int, float], column_of: Mapping[int, int], routes: int) -> np.ndarray:
    """A profile's interaction weights by route column, damped (log) and scaled to 0–1; routes gone are skipped."""
    vector = np.zeros(routes, dtype=np.float32)
    for route, weight in history.items():
        column = column_of.get(route)
        if column is not None and weight > 0:
            vector[column] = math.log1p(weight)
    top = vector.max() if routes else 0.0
    return vector / top if top > 0 else vector


def with_history(scores: np.ndarray, history: np.ndarray) -> np.ndarray:
    """Scores of one visitor (or a row per visitor) with their own routes moved up (HISTORY_BOOST): serving and
    the evaluation both call this, so the hold-out judges what visitors are served."""
    spread = scores.max(axis=-1, keepdims=True) - scores.min(axis=-1, keepdims=True)
    return scores + history * (HISTORY_BOOST * np.where(spread > 0, spread, 1.0))


def item_feature_list(route: RouteFacts) -> list[tuple[str, float]]:
    features = route_features(route)
    return [(f"id:{route.pk}", _share(ITEM_IDENTITY_SHARE, features)), *features]


@dataclass
class Split:
    train: list[Interaction]
    test: list[Interaction]
    hold_out_from: dt.date


def split_by_time(interactions: list[Interaction], hold_out_days: int, until: dt.date) -> Split:
    start = until - dt.timedelta(days=hold_out_days)
    return Split(
        train=[i for i in interactions if i.day < start],
        test=[i for i in interactions if i.day >= start],
        hold_out_from=start,
    )


@dataclass
class Artifact:
    """Everything serving needs: embeddings of features and the vocabularies. No LightFM object is pickled."""

    user_embeddings: np.ndarray
    item_embeddings: np.ndarray
    item_biases: np.ndarray
    user_vocabulary: dict[str, int]
    item_vocabulary: dict[str, int]
    popularity: dict[str, dict[int, float]]  # market → route → weight, for honest "popular with" reasons
    histories: dict[str, dict[int, float]] = field(default_factory=dict)  # profile key → route → weight (training)

    def user_vector(self, features: list[tuple[str, float]]) -> np.ndarray:
        vocabulary = self.user_vocabulary
        pairs = [(vocabulary[name], weight) for name, weight in features if name in vocabulary]
        if not pairs:
            return np.zeros(self.user_embeddings.shape[1], dtype=np.float32)
        columns, weights = zip(*pairs, strict=True)
        weights = np.array(weights, dtype=np.float32)
        return (weights / (weights.sum() or 1.0)) @ self.user_embeddings[list(columns)]

    def item_matrix(self, routes: list[RouteFacts]) -> tuple[np.ndarray, np.ndarray]:
        """Item vectors of the routes live now; a route newer than the model is described by its features alone."""
        rows = feature_rows([item_feature_list(route) for route in routes], Vocabulary(self.item_vocabulary), False)
        return (rows @ self.item_embeddings).astype(np.float32), (rows @ self.item_biases).astype(np.float32)

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        meta = {"user": self.user_vocabulary, "item": self.item_vocabulary,
                "popularity": {m: {str(k): v for k, v in p.items()} for m, p in self.popularity.items()},
                "histories": {key: {str(k): v for k, v in h.items()} for key, h in self.histories.items()}}  # fmt: skip
        np.savez_compressed(
            buffer, user_embeddings=self.user_embeddings, item_embeddings=self.item_embeddings,
            item_biases=self.item_biases, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        )  # fmt: skip
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> Artifact:
        with np.load(io.BytesIO(data)) as arrays:
            meta = json.loads(arrays["meta"].tobytes())
            return cls(
                user_embeddings=arrays["user_embeddings"], item_embeddings=arrays["item_embeddings"],
                item_biases=arrays["item_biases"], user_vocabulary=meta["user"], item_vocabulary=meta["item"],
                popularity={m: {int(k): v for k, v in p.items()} for m, p in meta["popularity"].items()},
                histories={key: {int(k): v for k, v in h.items()} for key, h in meta.get("histories", {}).items()},
            )  # fmt: skip


def popularity_by_market(interactions: list[Interaction], visitors: dict[str, Visitor], markets) -> dict:
    table: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for item in interactions:
        market = market_of(visitors[item.visitor].country, markets)
        table[market][item.page] += item.weight
        table["*"][item.page] += item.weight
    return {market: dict(scores) for market, scores in table.items()}


def lightfm_options(seed: int = 7) -> dict:
    """The LightFM constructor's arguments (the bench fits a bare LightFM with exactly these)."""
    return {
        "no_components": settings.RECOMMENDER_COMPONENTS, "loss": LOSS, "learning_rate": LEARNING_RATE,
        "max_sampled": MAX_SAMPLED, "user_alpha": ALPHA, "item_alpha": ALPHA, "random_state": seed,
    }  # fmt: skip


def sample_weights(interactions: sparse.coo_matrix) -> sparse.coo_matrix:
    """How much each (visitor, route) pair counts: its interaction weight (views, engaged time, saves, bookings)."""
    return interactions


def model_description() -> dict:
    options = lightfm_options()
    options.pop("random_state")
    return {
        **options, "epochs": settings.RECOMMENDER_EPOCHS, "threads": settings.RECOMMENDER_THREADS,
        "history_share": HISTORY_SHARE, "item_identity_share": ITEM_IDENTITY_SHARE, "history_boost": HISTORY_BOOST,
    }  # fmt: skip


def fit(interactions: sparse.coo_matrix, user_features, item_features, epochs: int, threads: int, seed: int = 7):
    from lightfm import LightFM

    model = LightFM(**lightfm_options(seed))
    model.fit(
        interactions, user_features=user_features, item_features=item_features,
        sample_weight=sample_weights(interactions), epochs=epochs, num_threads=threads,
    )  # fmt: skip
    return model


# --- Evaluation -----------------------------------------------------------------------------------------------


def _metrics(ranked: np.ndarray, relevant: list[set[int]]) -> dict[str, np.ndarray]:
    """precision@K, recall@K and NDCG@K of each visitor, from ranked column indexes."""
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    ideal = np.cumsum(discounts)
    # each (visitor, route) as one number, so "is this ranked route relevant" is one vectorised lookup
    width = 1 + max([int(ranked.max(initial=-1))] + [max(truth) for truth in relevant if truth])
    relevant_codes = np.fromiter(
        (row * width + column for row, found in enumerate(relevant) for column in found), np.int64
    )
    hits = np.zeros((len(relevant), K))  # fewer than K routes: the missing places are misses
    codes = np.arange(len(relevant), dtype=np.int64)[:, None] * width + ranked[:, :K]
    hits[:, : codes.shape[1]] = np.isin(codes, relevant_codes)
    sizes = np.array([len(truth) for truth in relevant], dtype=float)
    return {
        "precision": hits.sum(axis=1) / K,
        "recall": hits.sum(axis=1) / np.maximum(sizes, 1.0),
        "ndcg": (hits * discounts).sum(axis=1) / ideal[np.clip(sizes.astype(int), 1, K) - 1],
    }


def _top(scores: np.ndarray) -> np.ndarray:
    """Column indexes of the K best scores of each row, best first; ties keep column order.

    The same as a stable argsort's first K, without sorting every row (most of the evaluation's time): the Kth
    best score of each row is found by partitioning, the places left at that score go to its first columns."""
    k = min(K, scores.shape[1])
    if k == 0:
        return np.zeros((len(scores), 0), dtype=np.int64)
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]
    above, tied = scores > kth, scores == kth
    room = k - above.sum(axis=1, keepdims=True)
    columns = np.nonzero(above | (tied & (np.cumsum(tied, axis=1) <= room)))[1].reshape(len(scores), k)
    order = np.argsort(-np.take_along_axis(scores, columns, axis=1), axis=1, kind="stable")
    return np.take_along_axis(columns, order, axis=1)


def evaluate(
    scorers: dict[str, Callable[[list[str]], np.ndarray]], test: list[Interaction], visitors: dict[str, Visitor],
    route_ids: list[int], returning: set[str], markets: dict[str, str], chunk: int = 4096,
) -> dict:  # fmt: skip
    """Each scorer maps visitor keys to a (visitors × routes) score matrix; results by group and market.

    Scorers are called on `chunk` visitors at a time, so memory stays flat however many visitors there are; a
    scorer with a `rank` function (one ranking per market) is asked for the top K directly."""
    column = {pk: i for i, pk in enumerate(route_ids)}
    truth: dict[str, set[int]] = defaultdict(set)
    for item in test:
        if item.page in column:
            truth[item.visitor].add(column[item.page])
    keys = sorted(truth)
    groups = {
        "all": keys,
        "returning": [k for k in keys if k in returning],
        "new": [k for k in keys if k not in returning],
    }
    for key in keys:
        groups.setdefault(f"market:{market_of(visitors[key].country, markets)}", []).append(key)
    results: dict = {name: {"visitors": len(members)} for name, members in groups.items()}
    position = {key: i for i, key in enumerate(keys)}
    relevant = [truth[key] for key in keys]
    for scorer_name, scorer in scorers.items():
        ranked = np.zeros((len(keys), min(K, len(route_ids))), dtype=np.int64)
        for start in range(0, len(keys), chunk):
            block = keys[start : start + chunk]
            rank = getattr(scorer, "rank", None)
            ranked[start : start + len(block)] = rank(block) if rank else _top(scorer(block))
        each = _metrics(ranked, relevant)
        for name, members in groups.items():
            rows = np.array([position[k] for k in members], dtype=np.int64)
            metrics = {metric: float(values[rows].mean()) for metric, values in each.items()} if len(rows) else {}
            if name == "all" and len(rows):
                metrics["coverage"] = len(set(ranked[rows].ravel().tolist())) / max(len(route_ids), 1)
            results[name][scorer_name] = {metric: round(value, 4) for metric, value in metrics.items()}
    return results


# --- The whole run ----------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    routes: list[RouteFacts]
    visitors: dict[str, Visitor]
    split: Split
    markets: dict[str, str]
    priors: dict[str, dict[str, float]]
    interactions: int


def prepare(until: dt.date | None = None, progress: Callable[[str], None] = lambda _: None) -> Prepared:
    until = until or tokyo_day()
    since_day = until - dt.timedelta(days=settings.RECOMMENDER_TRAINING_DAYS)
    start = dt.datetime.combine(since_day, dt.time(), tzinfo=TOKYO)
    end = dt.datetime.combine(until, dt.time(), tzinfo=TOKYO)
    progress("reading interactions")
    synthetic = None if settings.RECOMMENDER_USE_SYNTHETIC else False
    interactions, visitors = route_interactions("routes.routepage", start, end, synthetic=synthetic)
    from analytics.models import CountryMarket

    return Prepared(
        routes=live_routes(),
        visitors=visitors,
        split=split_by_time(interactions, settings.RECOMMENDER_HOLD_OUT_DAYS, until),
        markets=dict(CountryMarket.objects.values_list("country", "market__key")),
        priors=market_priors(),
        interactions=len(interactions),
    )


class _FeatureLists:
    """Feature lists of visitors by key, computed once per distinct description (most anonymous visitors of a
    market look alike: country, language, device)."""

    def __init__(self, prepared: Prepared, histories: dict[str, dict[int, float]]):
        self.prepared, self.histories = prepared, histories
        self.seen: dict[tuple, list[tuple[str, float]]] = {}

    def __call__(self, key: str) -> list[tuple[str, float]]:
        visitor = self.prepared.visitors[key]
        profile = key if key in self.histories else None
        memo = (visitor.country, visitor.lang, visitor.device, tuple(visitor.interests), visitor.travel_month,
                visitor.party, profile)  # fmt: skip
        found = self.seen.get(memo)
        if found is None:
            found = self.seen[memo] = user_feature_list(
                context_of(visitor), self.prepared.markets, self.prepared.priors, self.histories
            )
        return found


@dataclass
class Matrices:
    interactions: sparse.coo_matrix
    user_features: sparse.csr_matrix
    item_features: sparse.csr_matrix
    user_vocabulary: Vocabulary
    item_vocabulary: Vocabulary
    route_ids: list[int]
    histories: dict[str, dict[int, float]]  # consented profiles with history in the training window

    @property
    def returning(self) -> set[str]:
        return set(self.histories)


def build_matrices(prepared: Prepared) -> Matrices:
    routes = prepared.routes
    route_column = {route.pk: i for i, route in enumerate(routes)}
    train = [i for i in prepared.split.train if i.page in route_column]
    user_keys = sorted({i.visitor for i in train})
    user_row = {key: i for i, key in enumerate(user_keys)}
    # (visitor, route) pairs summed with numpy, in the order each pair first occurs (LightFM's shuffle depends on it)
    pairs = np.fromiter((user_row[i.visitor] * len(routes) + route_column[i.page] for i in train), np.int64, len(train))
    unique, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=np.fromiter((i.weight for i in train), np.float64, len(train)))
    order = np.argsort(first, kind="stable")
    histories: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for item in train:
        if item.visitor.startswith("profile:"):
            histories[item.visitor][item.page] += item.weight
    histories = {key: dict(history) for key, history in histories.items()}
    user_vocabulary, item_vocabulary = Vocabulary.empty(), Vocabulary.empty()
    features = _FeatureLists(prepared, histories)
    user_features = feature_rows([features(key) for key in user_keys], user_vocabulary, grow=True)
    item_features = feature_rows([item_feature_list(route) for route in routes], item_vocabulary, grow=True)
    rows, columns = np.divmod(unique[order], max(len(routes), 1))
    interactions = sparse.coo_matrix(
        (sums[order].astype(np.float32), (rows, columns)), shape=(len(user_keys), len(routes))
    )
    return Matrices(
        interactions, user_features, item_features, user_vocabulary, item_vocabulary,
        [route.pk for route in routes], histories,
    )  # fmt: skip


def artifact_from(model, matrices: Matrices, prepared: Prepared) -> Artifact:
    return Artifact(
        user_embeddings=model.user_embeddings.astype(np.float32),
        item_embeddings=model.item_embeddings.astype(np.float32),
        item_biases=model.item_biases.astype(np.float32),
        user_vocabulary=dict(matrices.user_vocabulary.index),
        item_vocabulary=dict(matrices.item_vocabulary.index),
        popularity=popularity_by_market(prepared.split.train, prepared.visitors, prepared.markets),
        histories=matrices.histories,
    )


def scorers_for(
    prepared: Prepared, matrices: Matrices, candidate: Artifact, live: Artifact | None,
    popularity: dict[str, dict[int, float]] | None = None,
) -> dict:  # fmt: skip
    """Score functions of the candidate, the live model and the baselines, each vectorised over visitors."""
    routes = prepared.routes
    if popularity is None:
        popularity = popularity_by_market(prepared.split.train, prepared.visitors, prepared.markets)
    features = _FeatureLists(prepared, matrices.histories)
    column_of = {route.pk: column for column, route in enumerate(routes)}

    def model_scorer(artifact: Artifact):
        items, biases = artifact.item_matrix(routes)
        vocabulary = Vocabulary(artifact.user_vocabulary)

        def score(keys):
            # the same vectors as Artifact.user_vector (serving), for many visitors at once
            users = feature_rows([features(key) for key in keys], vocabulary, grow=False) @ artifact.user_embeddings
            scores = users @ items.T + biases
            for row, key in enumerate(keys):
                if key in artifact.histories:
                    scores[row] = with_history(scores[row], history_vector(artifact.histories[key], column_of,
                                                                           len(routes)))  # fmt: skip
            return scores

        return score

    overall = popularity.get("*", {})
    tie_break = 1e-6 * np.array([overall.get(route.pk, 0.0) for route in routes])
    market_names = sorted(set(prepared.markets.values()) | {"other", "*"} | set(popularity) | set(prepared.priors))
    market_row = {name: i for i, name in enumerate(market_names)}

    def per_market_scorer(vector_of: Callable[[str], np.ndarray], per_market: bool = True):
        table = np.stack([vector_of(name) for name in market_names])

        ranked = _top(table)

        def rows(keys):
            names = [market_of(prepared.visitors[key].country, prepared.markets) if per_market else "*" for key in keys]
            return [market_row[name] for name in names]

        def score(keys):
            return table[rows(keys)]

        score.rank = lambda keys: ranked[rows(keys)]
        return score

    def popularity_vector(market: str) -> np.ndarray:
        table = popularity.get(market) or overall
        return np.array([table.get(route.pk, 0.0) for route in routes]) + tie_break

    def priors_vector(market: str) -> np.ndarray:
        weights = prepared.priors.get(market, {})
        return np.array(
            [sum(weights.get(theme, 0.0) for theme in route.themes) / max(len(route.themes), 1) for route in routes]
        )

    scorers = {
        "global_popularity": per_market_scorer(popularity_vector, per_market=False),
        "market_popularity": per_market_scorer(popularity_vector),
        "market_priors": per_market_scorer(priors_vector),
        "hybrid": model_scorer(candidate),
    }
    if live is not None:
        scorers["live_model"] = model_scorer(live)
    return scorers


def load_artifact(record: TrainedModel) -> Artifact:
    with default_storage.open(record.file_name, "rb") as handle:
        return Artifact.loads(handle.read())


def train(until: dt.date | None = None, progress: Callable[[str], None] = lambda _: None) -> TrainedModel:
    """Train, evaluate against the baselines and the live model on the same fresh hold-out, and deploy if fit."""
    started = time.perf_counter()
    prepared = prepare(until, progress)
    progress(f"building matrices ({prepared.interactions} interactions)")
    matrices = build_matrices(prepared)
    if matrices.interactions.nnz == 0:
        return TrainedModel.objects.create(
            status=TrainedModel.Status.FAILED, note="No interactions to learn from; serving stays as it is."
        )
    progress(f"fitting LightFM ({matrices.interactions.nnz} user-route pairs)")
    fit_started = time.perf_counter()
    model = fit(
        matrices.interactions, matrices.user_features, matrices.item_features,
        settings.RECOMMENDER_EPOCHS, settings.RECOMMENDER_THREADS,
    )  # fmt: skip
    fit_seconds = time.perf_counter() - fit_started
    candidate = artifact_from(model, matrices, prepared)
    live_record = TrainedModel.objects.filter(status=TrainedModel.Status.LIVE).first()
    live = None
    if live_record is not None:
        try:
            live = load_artifact(live_record)
        except (OSError, ValueError, KeyError):
            live = None  # an unreadable live model cannot block a good one
    progress("evaluating on the hold-out")
    results = evaluate(
        scorers_for(prepared, matrices, candidate, live, candidate.popularity), prepared.split.test, prepared.visitors,
        matrices.route_ids, matrices.returning, prepared.markets,
    )  # fmt: skip
    new_p = results["all"].get("hybrid", {}).get("precision", 0.0)
    live_p = results["all"].get("live_model", {}).get("precision") if live is not None else None
    tolerance = settings.RECOMMENDER_DEPLOY_TOLERANCE
    deploy = live_p is None or new_p >= live_p - tolerance
    metrics = {
        "evaluation": results,
        "fit_seconds": round(fit_seconds, 2),
        "total_seconds": round(time.perf_counter() - started, 2),
        "tolerance": tolerance,
        "compared_with": live_record.pk if live_record else None,
    }
    file_name = default_storage.save(f"{MODEL_DIR}/model.npz", ContentFile(candidate.dumps()))
    with transaction.atomic():
        if deploy and live_record is not None:
            TrainedModel.objects.filter(pk=live_record.pk).update(status=TrainedModel.Status.RETIRED)
        record = TrainedModel.objects.create(
            status=TrainedModel.Status.LIVE if deploy else TrainedModel.Status.REJECTED,
            file_name=file_name,
            interactions=prepared.interactions,
            visitors=len(prepared.visitors),
            hold_out_from=prepared.split.hold_out_from,
            metrics=metrics,
            note="" if deploy else f"precision@5 {new_p:.4f} is below the live model's {live_p:.4f} - {tolerance}",
        )
    progress(f"{'deployed' if deploy else 'rejected'} model {record.pk}: precision@5 {new_p:.4f}")
    return record
