/**
 * Implementation details of relaycontrol-core. <strong>Not API</strong>: anything here may change or
 * disappear in any release without notice. Do not use it from outside relaycontrol.
 */
package io.relaycontrol.core.internal;
