"""coursekit: the reference library of the course *Machine Learning — Classification & Optimization*.

One module per concept:

- :mod:`coursekit.data` — real data sets (offline), synthetic generators, splits and preprocessing
- :mod:`coursekit.linear` — sigmoid, softmax, logistic regression
- :mod:`coursekit.regularization` — L1/L2 penalties, soft-thresholding, proximal gradient, paths
- :mod:`coursekit.metrics` — accuracy, confusion matrix, precision/recall, ROC/AUC, log loss
- :mod:`coursekit.trees` — CART decision trees: impurity, best split, missing values, cost-complexity pruning
- :mod:`coursekit.boosting` — AdaBoost (SAMME) with staged predictions and the training-error bound
- :mod:`coursekit.optim` — SGD/Momentum/Nesterov/Adagrad/RMSprop/Adam, schedules, gradient clipping
- :mod:`coursekit.nn` — a small NumPy MLP and RNN, gradient checking
- :mod:`coursekit.plotting` — the course's figures
- :mod:`coursekit.grading` — helpers for the autograder's test cells
- :mod:`coursekit.cli` — the ``coursekit`` command line (``build``, ``release``, ``grade``)
"""

__version__ = "0.1.0"
