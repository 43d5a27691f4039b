"""Placing embeddings in 2D (pure numpy around scikit-learn, UMAP and usearch).

UMAP over a few hundred thousand papers takes too long on two cores, so it lays out a random sample of
*landmarks*; every other paper is placed at the similarity-weighted mean of its nearest landmarks. Neighbours
stay neighbours, which is what a reader of the map looks for; the global arrangement is the landmarks'.
"""

import numpy as np


def reduce(vectors: np.ndarray, dims: int = 48, seed: int = 0) -> np.ndarray:
    """Vectors projected on their `dims` principal components and scaled to unit length (float32)."""
    from sklearn.decomposition import PCA

    data = np.asarray(vectors, dtype=np.float32)
    if data.shape[1] > dims and data.shape[0] > dims:
        data = PCA(n_components=dims, svd_solver="randomized", random_state=seed).fit_transform(data)
    norms = np.linalg.norm(data, axis=1, keepdims=True)
    return (data / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def landmark_sample(count: int, size: int, seed: int = 0) -> np.ndarray:
    """Indices of `size` landmarks among `count` points (all of them when there are few)."""
    if count <= size:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=size, replace=False))


def lay_out(points: np.ndarray, seed: int = 0, neighbours: int = 15) -> np.ndarray:
    """2D positions of (unit-length) points by UMAP over cosine distance; tiny inputs on a circle."""
    if len(points) < 4:
        angles = np.linspace(0, 2 * np.pi, len(points), endpoint=False)
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    import umap

    model = umap.UMAP(n_neighbors=min(neighbours, len(points) - 1), min_dist=0.05, metric="cosine",
                      random_state=seed, n_jobs=1, low_memory=True, init="spectral" if len(points) > 20 else "random")
    return np.asarray(model.fit_transform(points), dtype=np.float32)


def place(points: np.ndarray, landmarks: np.ndarray, landmark_xy: np.ndarray, k: int = 8,
          sharpness: float = 20.0) -> np.ndarray:
    """2D positions of points from their k most similar landmarks: a softmax-weighted mean of their places."""
    from usearch.index import Index

    k = min(k, len(landmarks))
    index = Index(ndim=landmarks.shape[1], metric="cos", dtype="f32")
    index.add(np.arange(len(landmarks), dtype=np.uint64), landmarks)
    found = index.search(points, k, exact=len(landmarks) <= 5000)
    keys = np.asarray(found.keys, dtype=np.int64).reshape(len(points), k)
    similarity = 1.0 - np.asarray(found.distances, dtype=np.float32).reshape(len(points), k)
    weights = np.exp(sharpness * (similarity - similarity.max(axis=1, keepdims=True)))
    weights /= weights.sum(axis=1, keepdims=True)
    placed: np.ndarray = np.einsum("nk,nkd->nd", weights, landmark_xy[keys])
    return placed.astype(np.float32)


def normalise(xy: np.ndarray, margin: float = 0.05) -> np.ndarray:
    """Positions scaled into [0, 1] x [0, 1] (aspect kept), the outermost 0.1% clipped to the edge."""
    if len(xy) == 0:
        return xy.astype(np.float32)
    low, high = np.percentile(xy, 0.1, axis=0), np.percentile(xy, 99.9, axis=0)
    span = float(max((high - low).max(), 1e-9))
    scaled: np.ndarray = (np.clip(xy, low, high) - low) / span
    scaled += (1 - (high - low) / span) / 2  # centre the shorter side
    return (margin + scaled * (1 - 2 * margin)).astype(np.float32)


def clusters(points: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Cluster numbers (0..count-1) of points by k-means."""
    from sklearn.cluster import MiniBatchKMeans

    count = max(1, min(count, len(points)))
    model = MiniBatchKMeans(n_clusters=count, random_state=seed, batch_size=4096, n_init=3, max_iter=100)
    labels: np.ndarray = model.fit_predict(points)
    return labels.astype(np.uint16)
