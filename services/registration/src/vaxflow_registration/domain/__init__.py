"""Registration's domain: who may be registered, how their data is checked, what events follow."""
