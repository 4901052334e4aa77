"""A grey-scale image as a regression target, for the SIREN-vs-LAN comparison of Figure B.3 (Appendix B).

The paper does not name its image. The default here is a deterministic synthetic picture with both
smooth and sharp content (a radial chirp plus a checkerboard), so the figure runs with NumPy only.
``source="camera"`` uses scikit-image's "cameraman" photograph (``skimage.data.camera()``, the
image SIREN's own experiments fit), which needs the optional package ``scikit-image``.
"""
import numpy as np

from .sampling import check_count


def synthetic_image(size=64):
    """0.5 + 0.25 cos(20 r^2) + 0.25 sign(sin(6 pi x) sin(6 pi y)) on a size x size grid over [-1, 1]^2.

    Returns an ndarray of shape (size, size), float64, values in [0, 1]; row index follows y.
    """
    size = check_count(size, "size", minimum=2)
    t = np.linspace(-1.0, 1.0, size)
    y, x = np.meshgrid(t, t, indexing="ij")
    img = 0.5 + 0.25 * np.cos(20.0 * (x ** 2 + y ** 2)) + 0.25 * np.sign(
        np.sin(6 * np.pi * x) * np.sin(6 * np.pi * y))
    return np.clip(img, 0.0, 1.0)


def camera_image(size=256):
    """The 512 x 512 cameraman from scikit-image, block-averaged to (size, size), values in [0, 1].

    ``size`` must divide 512. Raises ImportError with an explanation when scikit-image is missing.
    """
    try:
        from skimage import data
    except ImportError:
        raise ImportError("the 'camera' image needs the optional package scikit-image "
                          "(pip install scikit-image); use source='synthetic' otherwise") from None
    size = check_count(size, "size")
    img = np.asarray(data.camera(), dtype=np.float64) / 255.0
    if img.shape[0] % size or img.shape[1] % size:
        raise ValueError(f"size must divide the image side {img.shape[0]}, got {size}")
    f = img.shape[0] // size
    return img.reshape(size, f, size, f).mean(axis=(1, 3))


def load_image(source="synthetic", size=None):
    """An image of shape (size, size) in [0, 1]: ``source`` is "synthetic" (default, size 64) or
    "camera" (size 256)."""
    if source == "synthetic":
        return synthetic_image(64 if size is None else size)
    if source == "camera":
        return camera_image(256 if size is None else size)
    raise ValueError(f"source must be 'synthetic' or 'camera', got {source!r}")


def image_to_xy(img):
    """Pixel coordinates and values: img (H, W) -> X (H*W, 2) in [-1, 1]^2 as (x, y), y (H*W, 1).

    Rows are in C order (row by row); ``y.reshape(H, W)`` gives the image back.
    """
    img = np.asarray(img, dtype=np.float64)
    if img.ndim != 2:
        raise ValueError(f"img must be 2-D (H, W), got shape {img.shape}")
    H, W = img.shape
    yy, xx = np.meshgrid(np.linspace(-1, 1, H), np.linspace(-1, 1, W), indexing="ij")
    return np.column_stack([xx.ravel(), yy.ravel()]), img.reshape(-1, 1)


def psnr(prediction, target):
    """Peak signal-to-noise ratio 10 log10(1 / MSE) in dB for images in [0, 1]; same shapes required."""
    prediction = np.asarray(prediction, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if prediction.shape != target.shape:
        raise ValueError(f"prediction {prediction.shape} and target {target.shape} differ in shape")
    mse = np.mean((prediction - target) ** 2)
    return np.inf if mse == 0 else 10.0 * np.log10(1.0 / mse)
