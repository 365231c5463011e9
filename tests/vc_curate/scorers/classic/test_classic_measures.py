"""The classic scorer's pixel measures on constructed images, where the right answer is known."""

import torch

from vc_curate.scorers.classic import measures


def blocky(offset: int) -> torch.Tensor:
    """A 64x64 picture flat within each 8x8 block, placed `offset` pixels into a NaN margin as the scorer's
    batches place images."""
    g = torch.Generator().manual_seed(0)
    img = (torch.rand(1, 1, 8, 8, generator=g) * 255).repeat_interleave(8, 2).repeat_interleave(8, 3)
    y = torch.full((1, 1, 64 + 2 * offset, 64 + 2 * offset), float("nan"))
    y[..., offset : offset + 64, offset : offset + 64] = img
    return y


def test_the_blur_effect_reads_nothing_across_the_jpeg_grid_in_any_direction():
    """Steps between 8x8 blocks on the grid leave no difference to read (1: nothing sharp) vertically,
    horizontally or along either diagonal; the same steps off the grid (a JPEG cropped after coding) still
    read as edges."""
    on_grid = measures.blur_effect(blocky(measures.JPEG_BLOCK))
    assert torch.equal(on_grid, torch.ones(1, 4)), on_grid
    off_grid = measures.blur_effect(blocky(measures.JPEG_BLOCK + 4))
    assert (off_grid < 0.5).all(), off_grid
