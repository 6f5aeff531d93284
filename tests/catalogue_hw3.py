"""Test submissions of hw3-optimizers' mistake catalogue: part -> mistake -> the source of the answer cell, as
a student writes it (``coursekit.grading.mistakes_hw3.MISTAKES`` holds the mistakes).

``CELLS`` names the answer cell of each part (SGD, momentum and Nesterov share the cell of the class ``SGD``);
``ALSO_LOSES`` lists the other parts that a submission must lose too, because the mistake sits in code that
they share (a sign error in ``SGD.step`` costs the three parts of the class).
"""

CELLS = {
    "minibatches": "answer-minibatches", "sgd": "answer-sgd", "momentum": "answer-sgd",
    "nesterov": "answer-sgd", "rmsprop": "answer-rmsprop", "adam": "answer-adam",
    "schedule_lr": "answer-schedule", "minimize": "answer-minimize", "fit_logistic": "answer-fit",
}
"""Grade id of a part -> grade id of its answer cell."""

NAMES = {
    "minibatches": "minibatches", "sgd": "SGD", "momentum": "SGD", "nesterov": "SGD", "rmsprop": "RMSprop",
    "adam": "Adam", "schedule_lr": "schedule_lr", "minimize": "minimize", "fit_logistic": "fit_logistic",
}
"""Grade id of a part -> the function or class its answer cell defines."""

ALSO_LOSES = {
    "sgd": {name: ("momentum", "nesterov") for name in
            ("not_in_place", "ascends", "ignores_lr_change", "first_array_only", "last_array_only")},
    "momentum": {"not_in_place": ("sgd", "nesterov"), "ascends": ("sgd", "nesterov"),
                 "ignores_lr_change": ("sgd", "nesterov"), "lr_in_buffer": ("nesterov",),
                 "moving_average": ("nesterov",)},
    "nesterov": {"not_in_place": ("sgd", "momentum"), "ascends": ("sgd", "momentum"),
                 "ignores_lr_change": ("sgd", "momentum"), "lr_in_buffer": ("momentum",),
                 "moving_average": ("momentum",)},
}
"""part -> mistake -> the other parts its submission also loses (the code they share holds the mistake)."""

MINIBATCHES = {
    "rng_not_converted": '''def minibatches(n_samples, batch_size, rng=None):
    idx = rng.permutation(n_samples)
    batches = []
    for start in range(0, n_samples, batch_size):
        batches.append(idx[start:start + batch_size])
    return batches
''',
    "with_replacement": '''def minibatches(n_samples, batch_size, rng=None):
    rng = np.random.default_rng(rng)
    batches = []
    for start in range(0, n_samples, batch_size):
        size = min(batch_size, n_samples - start)
        batches.append(rng.choice(n_samples, size=size))  # a random batch each time
    return batches
''',
    "drops_last_batch": '''def minibatches(n_samples, batch_size, rng=None):
    rng = np.random.default_rng(rng)
    perm = rng.permutation(n_samples)
    n_batches = n_samples // batch_size
    return [perm[k * batch_size:(k + 1) * batch_size] for k in range(n_batches)]
''',
    "batch_sizes": '''def minibatches(n_samples, batch_size, rng=None):
    perm = np.random.default_rng(rng).permutation(n_samples)
    n_batches = int(np.ceil(n_samples / batch_size))
    return np.array_split(perm, n_batches)  # nearly equal batches
''',
    "not_reproducible": '''def minibatches(n_samples, batch_size, rng=None):
    indices = np.arange(n_samples)
    np.random.shuffle(indices)
    return [indices[i:i + batch_size] for i in range(0, n_samples, batch_size)]
''',
    "not_shuffled": '''def minibatches(n_samples, batch_size, rng=None):
    rng = np.random.default_rng(rng)
    indices = np.arange(n_samples)
    batches = [indices[i:i + batch_size] for i in range(0, n_samples, batch_size)]
    return batches
''',
    "ignores_rng": '''def minibatches(n_samples, batch_size, rng=None):
    gen = np.random.default_rng(0)  # fixed seed so that results are reproducible
    order = gen.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]
''',
    "same_order_each_epoch": '''def minibatches(n_samples, batch_size, rng=None):
    if isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(12345)  # copy the generator so that the caller's is not used up
    else:
        rng = np.random.default_rng(rng)
    order = rng.permutation(n_samples)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]
''',
}

SGD = {
    "not_in_place": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.velocity = [None] * len(params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum != 0:
                if self.velocity[i] is None:
                    self.velocity[i] = np.copy(g)
                else:
                    self.velocity[i] = self.momentum * self.velocity[i] + (1 - self.dampening) * g
                if self.nesterov:
                    g = g + self.momentum * self.velocity[i]
                else:
                    g = self.velocity[i]
            p = p - self.lr * g
''',
    "ascends": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.buf = {}

    def step(self, grads):
        for i in range(len(self.params)):
            direction = grads[i]
            if self.momentum:
                if i not in self.buf:
                    self.buf[i] = grads[i].copy()
                else:
                    self.buf[i] = self.momentum * self.buf[i] + (1 - self.dampening) * grads[i]
                direction = grads[i] + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            self.params[i] += self.lr * direction
''',
    "ignores_lr_change": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.mu = momentum
        self.tau = dampening
        self.nesterov = nesterov
        self.b = [None for _ in params]
        # precompute the step factors once
        self.steps = [lr for _ in params]

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            d = g
            if self.mu > 0:
                self.b[i] = g.copy() if self.b[i] is None else self.mu * self.b[i] + (1 - self.tau) * g
                d = g + self.mu * self.b[i] if self.nesterov else self.b[i]
            p -= self.steps[i] * d
''',
    "first_array_only": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.buffers = [None] * len(params)

    def step(self, grads):
        for i, g in enumerate(grads):
            if self.momentum != 0:
                if self.buffers[i] is None:
                    self.buffers[i] = g.copy()
                else:
                    self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buffers[i] if self.nesterov else self.buffers[i]
            self.params[i] -= self.lr * g
            return self.params
''',
    "last_array_only": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.buffers = [None] * len(params)

    def step(self, grads):
        for i in range(len(self.params)):
            p, g = self.params[i], grads[i]
            if self.momentum != 0:
                if self.buffers[i] is None:
                    self.buffers[i] = g.copy()
                else:
                    self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buffers[i] if self.nesterov else self.buffers[i]
        p -= self.lr * g
''',
    "changes_gradients": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.buffers = [None] * len(params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum != 0:
                if self.buffers[i] is None:
                    self.buffers[i] = g.copy()
                else:
                    self.buffers[i] = self.momentum * self.buffers[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buffers[i] if self.nesterov else self.buffers[i].copy()
            g *= self.lr  # scale the gradient by the learning rate
            p -= g
''',
}

_SGD_HEAD = '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.v = [None] * len(params)

    def step(self, grads):
'''

MOMENTUM = {
    "not_in_place": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = [np.array(p, dtype=float) for p in params]  # my own copies
        self.lr, self.momentum, self.dampening, self.nesterov = lr, momentum, dampening, nesterov
        self.v = [None] * len(params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.v[i] if self.nesterov else self.v[i]
            p -= self.lr * g
''',
    "ascends": _SGD_HEAD + '''        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.v[i] if self.nesterov else self.v[i]
            p[...] = p + self.lr * g
''',
    "ignores_momentum": _SGD_HEAD + '''        for i, (p, g) in enumerate(zip(self.params, grads)):
            d = g
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                if self.nesterov:
                    d = g + self.momentum * self.v[i]
            p -= self.lr * d
''',
    "momentum_as_nesterov": _SGD_HEAD + '''        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.v[i]  # look ahead
            p -= self.lr * g
''',
    "buffer_starts_at_zero": _SGD_HEAD + '''        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = np.zeros_like(g)
                self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.v[i] if self.nesterov else self.v[i]
            p -= self.lr * g
''',
    "ignores_dampening": _SGD_HEAD + '''        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + g
                g = g + self.momentum * self.v[i] if self.nesterov else self.v[i]
            p -= self.lr * g
''',
    "moving_average": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.beta = momentum
        self.nesterov = nesterov
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.v):
            if self.beta > 0:
                v[...] = self.beta * v + (1 - self.beta) * g  # exponentially weighted average
                g = g + self.beta * v if self.nesterov else v
            p -= self.lr * g
''',
    "step_before_buffer": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, v in zip(self.params, grads, self.v):
            if self.momentum == 0:
                p -= self.lr * g
            elif self.nesterov:
                v[...] = self.momentum * v + g
                p -= self.lr * (g + self.momentum * v)
            else:
                p -= self.lr * v  # move with the velocity, then update it
                v[...] = self.momentum * v + (1 - self.dampening) * g
''',
    "lr_in_buffer": '''class SGD:
    # CS231n: v = mu * v - learning_rate * dx; x += v
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self.mu = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.v = [np.zeros_like(p) for p in params]
        self.started = False

    def step(self, grads):
        for p, dx, v in zip(self.params, grads, self.v):
            if self.mu == 0:
                p -= self.lr * dx
                continue
            v_prev = v.copy()
            if not self.started:
                v[...] = -self.lr * dx
            else:
                v[...] = self.mu * v - (1 - self.dampening) * self.lr * dx
            if self.nesterov:
                p += -self.mu * v_prev + (1 + self.mu) * v
            else:
                p += v
        self.started = True
''',
    "ignores_lr_change": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov)
        self.lr = lr
        self.state = {}

    def step(self, grads):
        lr, mu, tau = self.defaults["lr"], self.defaults["momentum"], self.defaults["dampening"]
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if mu != 0:
                buf = self.state.get(i)
                buf = g.copy() if buf is None else mu * buf + (1 - tau) * g
                self.state[i] = buf
                g = g + mu * buf if self.defaults["nesterov"] else buf
            p -= lr * g
''',
}

NESTEROV = {
    "not_in_place": _SGD_HEAD + '''        new_params = []
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.v[i] if self.nesterov else self.v[i]
            new_params.append(p - self.lr * g)
        self.params = new_params
''',
    "ascends": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params, self.lr = params, lr
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.bufs = [None] * len(params)

    def step(self, grads):
        for k in range(len(self.params)):
            g = grads[k]
            if self.momentum > 0:
                if self.bufs[k] is None:
                    self.bufs[k] = np.array(g)
                else:
                    self.bufs[k] = self.momentum * self.bufs[k] + (1 - self.dampening) * g
                g = g + self.momentum * self.bufs[k] if self.nesterov else self.bufs[k]
            np.add(self.params[k], self.lr * g, out=self.params[k])
''',
    "nesterov_as_momentum": _SGD_HEAD + '''        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                if self.nesterov:
                    g_ahead = g + self.momentum * self.v[i]
                g = self.v[i]
            p -= self.lr * g
''',
    "ignores_momentum": _SGD_HEAD + '''        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum and not self.nesterov:
                if self.v[i] is None:
                    self.v[i] = g.copy()
                else:
                    self.v[i] = self.momentum * self.v[i] + (1 - self.dampening) * g
                g = self.v[i]
            p -= self.lr * g
''',
    "moving_average": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params, self.lr, self.nesterov = params, lr, nesterov
        self.beta = momentum
        self.v = [np.zeros(p.shape) for p in params]

    def step(self, grads):
        for i in range(len(self.params)):
            if self.beta == 0:
                self.params[i] -= self.lr * grads[i]
                continue
            self.v[i] = self.beta * self.v[i] + (1 - self.beta) * grads[i]
            if self.nesterov:
                self.params[i] -= self.lr * (grads[i] + self.beta * self.v[i])
            else:
                self.params[i] -= self.lr * self.v[i]
''',
    "lr_in_buffer": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params, self.lr = params, lr
        self.mu, self.tau, self.nesterov = momentum, dampening, nesterov
        self.vel = [None] * len(params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if not self.mu:
                p -= self.lr * g
                continue
            if self.vel[i] is None:
                self.vel[i] = self.lr * g
            else:
                self.vel[i] = self.mu * self.vel[i] + (1 - self.tau) * self.lr * g
            if self.nesterov:
                p -= self.lr * g + self.mu * self.vel[i]
            else:
                p -= self.vel[i]
''',
    "ignores_lr_change": '''class SGD:
    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False):
        self.params = params
        self.lr = lr
        self._lr = lr
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.buf = [None] * len(params)

    def step(self, grads):
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if self.momentum != 0:
                if self.buf[i] is None:
                    self.buf[i] = g.copy()
                else:
                    self.buf[i] = self.momentum * self.buf[i] + (1 - self.dampening) * g
                g = g + self.momentum * self.buf[i] if self.nesterov else self.buf[i]
            p -= self._lr * g
''',
}

_RMS_HEAD = '''class RMSprop:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        self.params = params
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.sq = [np.zeros_like(p) for p in params]

    def step(self, grads):
'''

RMSPROP = {
    "not_in_place": _RMS_HEAD + '''        for i in range(len(self.params)):
            g = grads[i]
            self.sq[i] = self.alpha * self.sq[i] + (1 - self.alpha) * g ** 2
            self.params[i] = self.params[i] - self.lr * g / (np.sqrt(self.sq[i]) + self.eps)
''',
    "ascends": _RMS_HEAD + '''        for p, g, s in zip(self.params, grads, self.sq):
            s[...] = self.alpha * s + (1 - self.alpha) * g ** 2
            p += self.lr * g / (np.sqrt(s) + self.eps)
''',
    "eps_inside_sqrt": _RMS_HEAD + '''        for p, g, s in zip(self.params, grads, self.sq):
            s[...] = self.alpha * s + (1 - self.alpha) * g ** 2
            p -= self.lr * g / np.sqrt(s + self.eps)
''',
    "alpha_swapped": _RMS_HEAD + '''        for p, g, s in zip(self.params, grads, self.sq):
            s[...] = (1 - self.alpha) * s + self.alpha * g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)
''',
    "no_sqrt": _RMS_HEAD + '''        for p, g, s in zip(self.params, grads, self.sq):
            s[...] = self.alpha * s + (1 - self.alpha) * g * g
            p -= self.lr * g / (s + self.eps)
''',
    "average_not_kept": _RMS_HEAD + '''        for p, g, s in zip(self.params, grads, self.sq):
            s = self.alpha * s + (1 - self.alpha) * g * g
            p -= self.lr * g / (np.sqrt(s) + self.eps)
''',
    "bias_corrected": '''class RMSprop:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        self.params, self.lr, self.alpha, self.eps = params, lr, alpha, eps
        self.sq = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        for p, g, s in zip(self.params, grads, self.sq):
            s[...] = self.alpha * s + (1 - self.alpha) * g * g
            s_hat = s / (1 - self.alpha ** self.t)  # unbiased, as in Adam
            p -= self.lr * g / (np.sqrt(s_hat) + self.eps)
''',
    "missing_eps": _RMS_HEAD + '''        for p, g, s in zip(self.params, grads, self.sq):
            s[...] = self.alpha * s + (1 - self.alpha) * g * g
            p -= self.lr * g / np.sqrt(s)
''',
    "ignores_lr_change": '''class RMSprop:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        self.params = params
        self.lr = lr
        self.hyper = (lr, alpha, eps)
        self.sq = [np.zeros_like(p) for p in params]

    def step(self, grads):
        lr, alpha, eps = self.hyper
        for p, g, s in zip(self.params, grads, self.sq):
            s *= alpha
            s += (1 - alpha) * g * g
            p -= lr * g / (np.sqrt(s) + eps)
''',
}

_ADAM_HEAD = '''class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = params
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
'''

ADAM = {
    "not_in_place": _ADAM_HEAD + '''        self.t += 1
        for i, g in enumerate(grads):
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g ** 2
            m_hat = self.m[i] / (1 - self.beta1 ** self.t)
            v_hat = self.v[i] / (1 - self.beta2 ** self.t)
            self.params[i] = self.params[i] - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
''',
    "ascends": _ADAM_HEAD + '''        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p += self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
''',
    "no_bias_correction": _ADAM_HEAD + '''        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            p -= self.lr * m / (np.sqrt(v) + self.eps)
''',
    "only_m_corrected": _ADAM_HEAD + '''        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_corr = m / (1 - self.beta1 ** self.t)
            p -= self.lr * m_corr / (np.sqrt(v) + self.eps)
''',
    "only_v_corrected": _ADAM_HEAD + '''        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            v_corr = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m / (np.sqrt(v_corr) + self.eps)
''',
    "bias_t_plus_one": _ADAM_HEAD + '''        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** (self.t + 1))
            v_hat = v / (1 - self.beta2 ** (self.t + 1))
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
''',
    "bias_t_zero": _ADAM_HEAD + '''        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.t += 1
''',
    "eps_inside_sqrt": _ADAM_HEAD + '''        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / np.sqrt(v_hat + self.eps)
''',
    "eps_unscaled": _ADAM_HEAD + '''        self.t += 1
        alpha_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            p -= alpha_t * m / (np.sqrt(v) + self.eps)
''',
    "betas_swapped": '''class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.eps = params, lr, eps
        self.beta2, self.beta1 = betas
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
''',
    "moments_not_kept": _ADAM_HEAD + '''        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m = self.beta1 * m + (1 - self.beta1) * g
            v = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
''',
    "missing_eps": _ADAM_HEAD + '''        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / np.sqrt(v_hat)
''',
    "ignores_lr_change": '''class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = params
        self.lr = lr
        self.config = {"lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps, "t": 0}
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        c = self.config
        c["t"] += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m[...] = c["beta1"] * m + (1 - c["beta1"]) * g
            v[...] = c["beta2"] * v + (1 - c["beta2"]) * g ** 2
            m_hat = m / (1 - c["beta1"] ** c["t"])
            v_hat = v / (1 - c["beta2"] ** c["t"])
            p -= c["lr"] * m_hat / (np.sqrt(v_hat) + c["eps"])
''',
}

SCHEDULE_LR = {
    "t_plus_one": '''def schedule_lr(name, lr0, t, **kw):
    epoch = t + 1  # epochs are numbered from 1
    if name == "constant":
        return lr0
    elif name == "step":
        return lr0 * kw.get("gamma", 0.1) ** (epoch // kw["step_size"])
    elif name == "exponential":
        return lr0 * kw["gamma"] ** epoch
    elif name == "inverse_time":
        return lr0 / (1 + kw["decay"] * epoch)
    elif name == "cosine":
        eta_min = kw.get("eta_min", 0)
        return eta_min + 0.5 * (lr0 - eta_min) * (1 + np.cos(np.pi * epoch / kw["T_max"]))
''',
    "t_minus_one": '''def schedule_lr(name, lr0, t, **kw):
    k = t - 1  # the number of decays before epoch t
    if name == "constant":
        return lr0
    if name == "step":
        return lr0 * kw.get("gamma", 0.1) ** (k // kw["step_size"])
    if name == "exponential":
        return lr0 * kw["gamma"] ** k
    if name == "inverse_time":
        return lr0 / (1 + kw["decay"] * k)
    eta_min = kw.get("eta_min", 0)
    return eta_min + 0.5 * (lr0 - eta_min) * (1 + np.cos(np.pi * k / kw["T_max"]))
''',
    "no_floor": '''def schedule_lr(name, lr0, t, **kw):
    if name == "constant":
        return lr0
    if name == "step":
        return lr0 * kw.get("gamma", 0.1) ** (t / kw["step_size"])
    if name == "exponential":
        return lr0 * kw["gamma"] ** t
    if name == "inverse_time":
        return lr0 / (1 + kw["decay"] * t)
    eta_min = kw.get("eta_min", 0.0)
    return eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * t / kw["T_max"])) / 2
''',
    "gamma_required": '''def schedule_lr(name, lr0, t, **kw):
    if name == "constant":
        return lr0
    if name == "step":
        return lr0 * kw["gamma"] ** (t // kw["step_size"])
    if name == "exponential":
        return lr0 * kw["gamma"] ** t
    if name == "inverse_time":
        return lr0 / (1 + kw["decay"] * t)
    eta_min = kw.get("eta_min", 0.0)
    return eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * t / kw["T_max"])) / 2
''',
    "exponential_with_e": '''import math

def schedule_lr(name, lr0, t, **kw):
    if name == "constant":
        lr = lr0
    elif name == "step":
        lr = lr0 * kw.get("gamma", 0.1) ** math.floor(t / kw["step_size"])
    elif name == "exponential":
        lr = lr0 * math.exp(-kw["gamma"] * t)
    elif name == "inverse_time":
        lr = lr0 / (1 + kw["decay"] * t)
    else:
        eta_min = kw.get("eta_min", 0.0)
        lr = eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / kw["T_max"])) / 2
    return lr
''',
    "cosine_without_pi": '''import math

def schedule_lr(name, lr0, t, **kw):
    if name == "constant":
        return lr0
    if name == "step":
        return lr0 * kw.get("gamma", 0.1) ** (t // kw["step_size"])
    if name == "exponential":
        return lr0 * kw["gamma"] ** t
    if name == "inverse_time":
        return lr0 / (1 + kw["decay"] * t)
    eta_min = kw.get("eta_min", 0.0)
    return eta_min + (lr0 - eta_min) * (1 + math.cos(t / kw["T_max"])) / 2
''',
    "cosine_without_half": '''def schedule_lr(name, lr0, t, **kw):
    if name == "constant":
        return lr0
    if name == "step":
        return lr0 * kw.get("gamma", 0.1) ** (t // kw["step_size"])
    if name == "exponential":
        return lr0 * kw["gamma"] ** t
    if name == "inverse_time":
        return lr0 / (1 + kw["decay"] * t)
    eta_min = kw.get("eta_min", 0.0)
    return eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * t / kw["T_max"]))
''',
    "cosine_ignores_eta_min": '''def schedule_lr(name, lr0, t, **kw):
    if name == "constant":
        return lr0
    if name == "step":
        return lr0 * kw.get("gamma", 0.1) ** (t // kw["step_size"])
    if name == "exponential":
        return lr0 * kw["gamma"] ** t
    if name == "inverse_time":
        return lr0 / (1 + kw["decay"] * t)
    if name == "cosine":
        return lr0 * (1 + np.cos(np.pi * t / kw["T_max"])) / 2
''',
}

MINIMIZE = {
    "path_not_copied": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    opt = optimizer_cls([w], **hyper)
    path = [w]
    for t in range(n_steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        path.append(w)
    return np.array(path)
''',
    "path_length": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    opt = optimizer_cls([w], **hyper)
    path = []
    for t in range(n_steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        path.append(w.copy())
    return np.array(path)
''',
    "extra_step": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps + 1):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        path.append(w.copy())
    return np.array(path)
''',
    "modifies_w0": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.asarray(w0, dtype=float)
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        path.append(w.copy())
    return np.array(path)
''',
    "w0_not_float": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0)
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        path.append(w.copy())
    return np.array(path)
''',
    "gradient_at_w0": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    g0 = grad(np.array(w0, dtype=float))
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps):
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([g0])
        path.append(w.copy())
    return np.array(path)
''',
    "lr_after_step": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps):
        opt.step([grad(w)])
        path.append(w.copy())
        if lr_at is not None:
            opt.lr = lr_at(t)  # the scheduler steps after the optimizer
    return np.array(path)
''',
    "ignores_lr_at": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    opt = optimizer_cls([w], **hyper)
    path = [w.copy()]
    for t in range(n_steps):
        opt.step([grad(w)])
        path.append(w.copy())
    return np.array(path)
''',
    "new_optimizer_each_step": '''def minimize(grad, w0, optimizer_cls, n_steps, lr_at=None, **hyper):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for t in range(n_steps):
        opt = optimizer_cls([w], **hyper)
        if lr_at is not None:
            opt.lr = lr_at(t)
        opt.step([grad(w)])
        path.append(w.copy())
    return np.array(path)
''',
}

_FIT_DOC = '''def fit_logistic(X, y, optimizer_cls, batch_size, epochs, rng=None, lr_at=None, **hyper):
'''

FIT_LOGISTIC = {
    "same_batches_every_epoch": _FIT_DOC + '''    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        for batch in minibatches(len(y), batch_size, rng):
            grad_w, grad_b = objective_grad(w, b, X[batch], y[batch])
            opt.step([grad_w, grad_b])
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
    "losses_length": _FIT_DOC + '''    rng = np.random.default_rng(rng)
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = []
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        for batch in minibatches(len(y), batch_size, rng):
            opt.step(list(objective_grad(w, b, X[batch], y[batch])))
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
    "float_intercept": _FIT_DOC + '''    rng = np.random.default_rng(rng)
    w = np.zeros(X.shape[1])
    b = 0.0
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        for batch in minibatches(len(y), batch_size, rng):
            gw, gb = objective_grad(w, b, X[batch], y[batch])
            opt.step([gw, gb])
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
    "ignores_lr_at": _FIT_DOC + '''    gen = np.random.default_rng(rng)
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        for batch in minibatches(len(y), batch_size, gen):
            gw, gb = objective_grad(w, b, X[batch], y[batch])
            opt.step([gw, gb])
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
    "lr_at_per_step": _FIT_DOC + '''    gen = np.random.default_rng(rng)
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    it = 0
    for epoch in range(epochs):
        for batch in minibatches(len(y), batch_size, gen):
            if lr_at is not None:
                opt.lr = lr_at(it)
            gw, gb = objective_grad(w, b, X[batch], y[batch])
            opt.step([gw, gb])
            it += 1
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
    "full_data_gradient": _FIT_DOC + '''    gen = np.random.default_rng(rng)
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        for batch in minibatches(len(y), batch_size, gen):
            gw, gb = objective_grad(w, b, X, y)
            opt.step([gw, gb])
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
    "one_step_per_epoch": _FIT_DOC + '''    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        gw, gb = objective_grad(w, b, X, y)
        opt.step([gw, gb])
        losses.append(objective(w, b, X, y))
    return w, b, losses
''',
    "batch_losses": _FIT_DOC + '''    gen = np.random.default_rng(rng)
    w, b = np.zeros(X.shape[1]), np.zeros(1)
    opt = optimizer_cls([w, b], **hyper)
    losses = [objective(w, b, X, y)]
    for epoch in range(epochs):
        if lr_at is not None:
            opt.lr = lr_at(epoch)
        running = []
        for batch in minibatches(len(y), batch_size, gen):
            running.append(objective(w, b, X[batch], y[batch]))
            gw, gb = objective_grad(w, b, X[batch], y[batch])
            opt.step([gw, gb])
        losses.append(np.mean(running))
    return w, b, losses
''',
}

SUBMISSIONS: dict[str, dict[str, str]] = {
    "minibatches": MINIBATCHES, "sgd": SGD, "momentum": MOMENTUM, "nesterov": NESTEROV, "rmsprop": RMSPROP,
    "adam": ADAM, "schedule_lr": SCHEDULE_LR, "minimize": MINIMIZE, "fit_logistic": FIT_LOGISTIC,
}
"""part -> mistake -> the source of the part's answer cell."""
