"""Built-in expression functions (min, max, round …), registered like any plugin's.

The functions themselves live in ``kaohe.engine.language.functions``
(``BUILTIN_FUNCTIONS``), the expression language's library;
this plugin puts them into the registry through ``register_functions``, so
a third-party function of the same name is the error
``E-PLUGIN-DUPLICATE-FUNCTION`` instead of a silent replacement.
"""

from __future__ import annotations

from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.language.functions import BUILTIN_FUNCTIONS


@hookimpl
def register_functions(register: Registrar) -> None:
    for name, func in BUILTIN_FUNCTIONS.items():
        register.function(name, func)
