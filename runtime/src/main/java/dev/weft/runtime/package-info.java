/**
 * The thin runtime: loads a bundle ({@link dev.weft.runtime.Bundle#load}), checks that it fits
 * the machine before touching a device, and runs a rank's program on a device found through
 * the {@link dev.weft.runtime.spi.DeviceProvider} SPI ({@code cpu}, {@code cuda}, {@code rocm}).
 * Depends on the {@code bundle} module only; every native call goes through
 * {@code java.lang.foreign}.
 */
package dev.weft.runtime;
