package org.acme.conventions;

import jakarta.inject.Singleton;

/** A bean without a switch, for ExplicitActivationTest to find (test sources only: never in a service). */
@Singleton
class UnswitchedBean {
}
