"""Draw the picture the README shows: the graph of a small model's loss, drawn by minitorch itself.

    python tools/readme_picture.py            (writes docs/drawing.png)
"""
import os

import minitorch as mt

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "docs", "drawing.png")


def drawing():
    """The README's example: a two-layer model, ops grouped by module, parameters named."""
    mt.manual_seed(0)
    model = mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.ReLU(), mt.nn.Linear(8, 1))
    loss = model(mt.randn(16, 4)).pow(2).mean()
    return mt.viz.draw(loss, params=model)


if __name__ == "__main__":
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    print(drawing().render(os.path.normpath(OUT)))
