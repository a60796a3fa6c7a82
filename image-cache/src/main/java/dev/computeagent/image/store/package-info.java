/**
 * Image stores: Glance v2 over HTTP(S) and a local directory. They fetch metadata and bytes and judge
 * nothing about the image itself. Nothing here is null unless documented.
 */
@NullMarked
package dev.computeagent.image.store;

import org.jspecify.annotations.NullMarked;
