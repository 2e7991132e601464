"""Known incompatibilities: scenarios that fail on some stacks for a reason on record.

They sit above the kits and the builds (an entry may name a proxy version a suite ships, or a
package version an image installs) and below the plugin and the matrix, which mark and record
the cases they concern.
"""
