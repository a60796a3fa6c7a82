/**
 * File-system helpers shared by whatever writes instance files: files that appear complete or not at
 * all. Nothing here is null unless documented.
 */
package dev.computeagent.image.files;
